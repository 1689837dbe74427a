import { BadGatewayException, BadRequestException, HttpException, Injectable, UnauthorizedException } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { FattureInCloudError, FattureInCloudTokenError } from 'passport-fattureincloud';

/** Turns the strategy's failures and errors into clear responses, instead of a bare 401 or a 500. */
function mapped(err: unknown, user: unknown, info: unknown, status: unknown): HttpException | undefined {
  if (err instanceof FattureInCloudTokenError) return new UnauthorizedException({ message: err.message, code: err.code }); // e.g. invalid_grant: log in again
  if (err instanceof FattureInCloudError) return new BadGatewayException({ message: err.message, code: err.code }); // Fatture in Cloud unreachable or odd
  if (err instanceof Error && err.name === 'AuthorizationError') return new BadRequestException({ message: err.message });
  if (err) return undefined; // not ours: let Nest handle it
  if (!user) {
    // A denied consent (401) or a refused state (403): the message says which.
    const message = (info as { message?: string } | undefined)?.message ?? 'Sign-in was not completed.';
    return new HttpException({ message }, typeof status === 'number' ? status : 401);
  }
  return undefined;
}

function guardFor(strategy: string) {
  @Injectable()
  class FattureInCloudGuard extends AuthGuard(strategy) {
    override handleRequest<TUser>(err: unknown, user: TUser, info: unknown, _context: unknown, status?: unknown): TUser {
      const exception = mapped(err, user, info, status);
      if (exception) throw exception;
      if (err) throw err;
      return user;
    }
  }
  return FattureInCloudGuard;
}

export const FattureInCloudGuard = guardFor('fattureincloud');
export const FattureInCloudParamsGuard = guardFor('fattureincloud-params');
