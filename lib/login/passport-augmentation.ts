import type { AuthenticateOptions } from 'passport';
import type { FattureInCloudAuthenticateOptions } from './strategy';

/** What `passport.authenticate('fattureincloud', options)` accepts: Passport's options, with checked scopes. */
export interface FattureInCloudPassportOptions
  extends Omit<AuthenticateOptions, 'scope' | 'state'>,
    FattureInCloudAuthenticateOptions {}

/** Options for `passport.authenticate(name, options)`: ours for 'fattureincloud', Passport's otherwise. */
export type AuthenticateOptionsFor<Name> = Name extends 'fattureincloud'
  ? FattureInCloudPassportOptions
  : AuthenticateOptions;

export type AuthenticateCallbackArgument =
  | import('passport').AuthenticateCallback
  | ((...args: never[]) => unknown);

/** What names a strategy in `passport.authenticate`. */
export type StrategyName = string | string[] | import('passport').Strategy;

/*
 * An extra overload on Authenticator would not do: a scope the 'fattureincloud'
 * overload refuses would fall through to Passport's `strategy: string` one and
 * compile. Redeclaring `authenticate` on PassportStatic (the `passport` object)
 * replaces the inherited overloads, with options that depend on the name.
 */
declare module 'passport' {
  interface PassportStatic {
    authenticate(strategy: StrategyName, callback?: AuthenticateCallbackArgument): import('express').RequestHandler;
    authenticate<Name extends StrategyName>(
      strategy: Name,
      options: AuthenticateOptionsFor<Name>,
      callback?: AuthenticateCallbackArgument,
    ): import('express').RequestHandler;
  }
}
