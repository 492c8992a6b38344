// The package version of this build. esbuild replaces CCC_VERSION with package.json's version (see esbuild.mjs);
// under tsx (tests, no bundling) the package.json is read instead.
import packageJson from '../package.json';

declare const CCC_VERSION: string;

export const VERSION: string = typeof CCC_VERSION === 'string' ? CCC_VERSION : packageJson.version;
