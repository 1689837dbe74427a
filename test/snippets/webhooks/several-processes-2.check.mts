// SNIPPET

export { log };
