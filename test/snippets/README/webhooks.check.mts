import express from 'express';
import type { FattureInCloudTokens } from 'passport-fattureincloud';

declare const tokens: FattureInCloudTokens;
declare const profile: { id: string };
declare const companyID: number;
const app = express();

// SNIPPET

export { app };
