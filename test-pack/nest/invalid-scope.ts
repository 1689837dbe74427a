import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { FattureInCloudStrategy, type FattureInCloudStrategyOptions } from 'passport-fattureincloud';

/** Must not compile: "emails:a" is not a scope, and `satisfies` makes TypeScript say so. */
@Injectable()
export class BadScope extends PassportStrategy(FattureInCloudStrategy, 'bad-scope') {
  constructor() {
    super({ clientID: 'id', clientSecret: 'secret', scope: ['emails:a'] } satisfies FattureInCloudStrategyOptions);
  }

  validate(): object {
    return {};
  }
}
