// The engine tests in webkit (suite.mjs).
import * as engine from './webkit.mjs';
import { engineSuite } from './suite.mjs';

engineSuite(engine);
