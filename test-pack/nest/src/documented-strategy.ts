// docs/nestjs.md, "The strategy", word for word: compiled with the rest of this app.
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import {
  CookieStateStore,
  type FattureInCloudProfile,
  FattureInCloudStrategy,
  type FattureInCloudStrategyOptions,
} from 'passport-fattureincloud';

@Injectable()
export class FattureInCloudAuthStrategy extends PassportStrategy(FattureInCloudStrategy, 'fattureincloud') {
  constructor() {
    super({
      clientID: process.env.FIC_CLIENT_ID!,
      clientSecret: process.env.FIC_CLIENT_SECRET!,
      baseURL: process.env.FIC_BASE_URL, // unset: Fatture in Cloud; the stand-in's address offline
      callbackURL: 'https://api.example.com/auth/fattureincloud/callback',
      scope: ['entity.clients:r'],
      // Most Nest apps have no session: keep the OAuth state in a sealed cookie.
      store: new CookieStateStore({ secret: process.env.STATE_SECRET! }),
    } satisfies FattureInCloudStrategyOptions);
  }

  validate(accessToken: string, refreshToken: string, profile: FattureInCloudProfile) {
    return { id: profile.id, name: profile.displayName };
  }
}
