// Must not compile: 'emails:a' is not a Fatture in Cloud scope.
import passport from 'passport';
import 'passport-fattureincloud';

export const login = passport.authenticate('fattureincloud', { scope: ['emails:a'] });
