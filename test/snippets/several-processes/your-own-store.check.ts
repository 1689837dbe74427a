// The interface as documented must be the one the package exports, both ways.
import type { FattureInCloudTokenSet, StoredTokenSet as ExportedStoredTokenSet, TokenStore as ExportedTokenStore } from 'passport-fattureincloud';

// SNIPPET

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const sameStore: Same<TokenStore, ExportedTokenStore> = true;
// Optional members too: every one the package has is documented, and no other.
export const sameMembers: Same<keyof TokenStore, keyof ExportedTokenStore> = true;
export const sameSet: Same<StoredTokenSet, ExportedStoredTokenSet> = true;
export type { FattureInCloudTokenSet };
