export { loadOnnx, decodeModel, MIN_OPSET, MAX_OPSET } from './decode.js';
export { encodeModel, graphToModelProto, tensorToProto } from './encode.js';
export { saveOnnx } from './save.js';
export { loadModelChecked, prepareGraph } from './prepare.js';
