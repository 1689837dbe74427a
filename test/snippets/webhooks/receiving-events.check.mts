/** The app's own import, which the block calls. */
declare function importClients(companyID: number, ids: number[]): Promise<void>;

// SNIPPET

export { app };
