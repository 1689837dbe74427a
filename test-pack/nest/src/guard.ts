// The guard of docs/nestjs.md, as it stands there (test-pack/nest.test.ts checks they match).
import { BadGatewayException, BadRequestException, HttpException, Injectable, UnauthorizedException } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { FattureInCloudError, FattureInCloudTokenError } from 'passport-fattureincloud';

@Injectable()
export class FattureInCloudGuard extends AuthGuard('fattureincloud') {
  override handleRequest<TUser>(err: unknown, user: TUser, info: unknown, _context: unknown, status?: unknown): TUser {
    // The token endpoint refused (invalid_grant: a code used twice or expired): log in again.
    if (err instanceof FattureInCloudTokenError) throw new UnauthorizedException({ message: err.message, code: err.code });
    // Fatture in Cloud could not be reached, or answered something odd.
    if (err instanceof FattureInCloudError) throw new BadGatewayException({ message: err.message, code: err.code });
    // Any other `error` on the callback (invalid_scope, …): our words, the provider's in err.description.
    if (err instanceof Error && err.name === 'AuthorizationError') throw new BadRequestException({ message: err.message });
    if (err) throw err;
    // A denied consent (401) or a refused state (403): the message says which.
    if (!user) {
      const message = (info as { message?: string } | undefined)?.message ?? 'Sign-in was not completed.';
      throw new HttpException({ message }, typeof status === 'number' ? status : 401);
    }
    return user;
  }
}

/** The 5-argument strategy's routes are only tested on success: Nest's own guard is enough there. */
export const FattureInCloudParamsGuard = AuthGuard('fattureincloud-params');
