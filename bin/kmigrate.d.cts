// Lets scripts/migrate.ts import the bin (a plain script with no exports).
export {};
