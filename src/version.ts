import pkg from '../package.json' with { type: 'json' };

export const MANIFOLD_VERSION: string = pkg.version;
