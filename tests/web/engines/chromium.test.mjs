// The engine tests in chromium (suite.mjs).
import * as engine from './chromium.mjs';
import { engineSuite } from './suite.mjs';

engineSuite(engine);
