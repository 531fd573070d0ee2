/** Entry point of the bundled Action (dist/action.js): run once, exit code from the result. */
import { run } from './main.ts';

process.exitCode = await run();
