/**
 * PRO's logit error: how far a pruned model's outputs are from the unpruned model's on the calibration samples.
 * Classifiers use the mean KL divergence of the class distributions (squared logit error is dominated by the logits'
 * scale, which pruning shrinks unevenly); other outputs the mean squared difference.
 */

export function meanSquared(ref: Float32Array, out: Float32Array): number {
  let e = 0;
  for (let j = 0; j < out.length; j++) e += (out[j]! - ref[j]!) ** 2;
  return e / out.length;
}

/** Mean over samples of KL(softmax(ref) ‖ softmax(out)) for `count` rows of logits. */
export function meanKl(ref: Float32Array, out: Float32Array, count: number): number {
  const c = ref.length / count;
  let total = 0;
  for (let i = 0; i < count; i++) {
    const [lr, lo] = [logSoftmax(ref, i * c, c), logSoftmax(out, i * c, c)];
    for (let j = 0; j < c; j++) total += Math.exp(lr[j]!) * (lr[j]! - lo[j]!);
  }
  return total / count;
}

function logSoftmax(x: Float32Array, at: number, n: number): Float64Array {
  let m = -Infinity;
  for (let j = 0; j < n; j++) m = Math.max(m, x[at + j]!);
  let s = 0;
  for (let j = 0; j < n; j++) s += Math.exp(x[at + j]! - m);
  const lse = m + Math.log(s);
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) out[j] = x[at + j]! - lse;
  return out;
}
