import express from 'express';
import passport from 'passport';

declare global {
  namespace Express {
    interface User { id: string; name: string }
  }
}
declare const clientID: string;
declare const clientSecret: string;
declare const callbackURL: string;
declare function listInvoices(accessToken: string): Promise<unknown[]>;
const app = express();

// SNIPPET
