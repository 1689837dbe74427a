// ESM consumer: named and default imports.
import pkg, { FattureInCloudStrategy, Strategy, Scope } from 'passport-fattureincloud';
import testing, { startFattureInCloudStandIn } from 'passport-fattureincloud/testing';
const strategy = new FattureInCloudStrategy({ clientID: 'id', clientSecret: 'secret' }, () => undefined);
console.log(JSON.stringify({
  sameClass: Strategy === FattureInCloudStrategy && pkg.Strategy === Strategy,
  name: strategy.name,
  scope: Scope.ENTITY_CLIENTS_READ,
  standIn: typeof startFattureInCloudStandIn === 'function' && testing.startFattureInCloudStandIn === startFattureInCloudStandIn,
}));
