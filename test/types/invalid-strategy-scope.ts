// Must NOT compile: an unknown scope literal in the strategy's options.
import { FattureInCloudStrategy } from '../../lib/index';

new FattureInCloudStrategy({ clientID: 'id', clientSecret: 'secret', scope: ['products:r', 'entity.products:r'] }, (_a, _r, _p, done) => done(null));
