#!/usr/bin/env node
// Runs the TypeScript CLI directly (tsx), so `npx catalog-builder` works from a checkout.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../hosts/cli.ts');
process.exitCode = await main(process.argv.slice(2));
