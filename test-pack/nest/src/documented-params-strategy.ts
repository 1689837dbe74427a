// docs/nestjs.md, "The 5-argument `validate`", word for word, with the imports and the token store it assumes.
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import {
  type FattureInCloudProfile,
  FattureInCloudStrategy,
  type FattureInCloudTokenParams,
  FattureInCloudTokens,
  tokenSetFromParams,
} from 'passport-fattureincloud';

const tokens = new FattureInCloudTokens({ clientID: 'id', clientSecret: 'secret' });

@Injectable()
export class FattureInCloudAuthStrategy extends PassportStrategy(FattureInCloudStrategy, 'fattureincloud', true) {
  // …
  validate(accessToken: string, refreshToken: string, params: FattureInCloudTokenParams, profile: FattureInCloudProfile) {
    // params: token_type, access_token, refresh_token, expires_in
    return tokens.save(profile.id, tokenSetFromParams(params)).then(() => ({ id: profile.id }));
  }
}
