// Entry point of the `xray-operator` binary.
import { main } from './commands.js';

process.exitCode = await main(process.argv.slice(2));
