/** Names the CLI needs before any git module is loaded (keeps a no-op `render --commit` light). */

/** The branch `render --commit` writes by default. */
export const DEFAULT_BRANCH = 'manifold/rendered';

/** Environment variable holding the token for pushing over HTTP(S); never printed. */
export const TOKEN_ENV = 'MANIFOLD_GIT_TOKEN';
