/** Dense Float64 linear algebra (row-major). See each module for details. */
export * from './matrix.js';
export * from './matmul.js';
export * from './cholesky.js';
export * from './spd-inverse.js';
export * from './lu.js';
export * from './qr.js';
export * from './lstsq.js';
export * from './svd.js';
export * from './pinv.js';
export * from './random.js';
