/**
 * The one TensorFlow.js instance of the engine. tfjs-node(-gpu), when installed, registers its
 * backend into this same @tensorflow/tfjs-core, so every module imports tf from here.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
