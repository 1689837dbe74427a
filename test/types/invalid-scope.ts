// Must NOT compile: test/types.test.ts checks that TypeScript refuses the invalid scope.
import passport from 'passport';
import '../../lib/index';

passport.authenticate('fattureincloud', { scope: ['entity.clients:r', 'emails:a'] });
