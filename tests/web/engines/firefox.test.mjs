// The engine tests in firefox (suite.mjs).
import * as engine from './firefox.mjs';
import { engineSuite } from './suite.mjs';

engineSuite(engine);
