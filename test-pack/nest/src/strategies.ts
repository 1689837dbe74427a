import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import {
  CookieStateStore,
  type FattureInCloudProfile,
  FattureInCloudStrategy,
  type FattureInCloudStrategyOptions,
  type FattureInCloudTokenParams,
} from 'passport-fattureincloud';

function options(callbackPath: string): FattureInCloudStrategyOptions {
  const env = (name: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set`);
    return value;
  };
  return {
    clientID: env('FIC_CLIENT_ID'),
    clientSecret: env('FIC_CLIENT_SECRET'),
    baseURL: env('FIC_BASE_URL'),
    callbackURL: `${env('APP_URL')}${callbackPath}`,
    scope: ['entity.clients:r'],
    // No session in this app: the OAuth state lives in a sealed cookie.
    store: new CookieStateStore({ secret: env('STATE_SECRET') }),
  };
}

/** The 4-argument validate: tokens and profile. */
@Injectable()
export class FattureInCloudAuthStrategy extends PassportStrategy(FattureInCloudStrategy, 'fattureincloud') {
  constructor() {
    super(options('/auth/fattureincloud/callback') satisfies FattureInCloudStrategyOptions);
  }

  validate(accessToken: string, refreshToken: string, profile: FattureInCloudProfile) {
    return { id: profile.id, name: profile.displayName, accessToken: accessToken.startsWith('a/'), refreshToken: refreshToken.startsWith('r/') };
  }
}

/** The 5-argument validate needs Nest's callbackArity (`true`), or `params` receives the profile. */
@Injectable()
export class FattureInCloudParamsStrategy extends PassportStrategy(FattureInCloudStrategy, 'fattureincloud-params', true) {
  constructor() {
    super(options('/auth/params/callback'));
  }

  validate(accessToken: string, refreshToken: string, params: FattureInCloudTokenParams, profile: FattureInCloudProfile) {
    return { id: profile.id, expiresIn: params.expires_in, tokenType: params.token_type, accessToken: accessToken.startsWith('a/'), refreshToken: refreshToken.startsWith('r/') };
  }
}
