// CommonJS consumer: both names, the scopes, the testing entry point.
const { Strategy, FattureInCloudStrategy, Scope, refreshAccessToken } = require('passport-fattureincloud');
const { startFattureInCloudStandIn } = require('passport-fattureincloud/testing');
const strategy = new Strategy({ clientID: 'id', clientSecret: 'secret', scope: [Scope.SETTINGS_READ] }, () => undefined);
console.log(JSON.stringify({
  sameClass: Strategy === FattureInCloudStrategy,
  name: strategy.name,
  refresh: typeof refreshAccessToken,
  standIn: typeof startFattureInCloudStandIn,
}));
