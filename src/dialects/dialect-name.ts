/** The dialects this package ships drivers for. Only src/dialects and the configuration name them. */
export type DialectName = 'sqlite' | 'postgres';
