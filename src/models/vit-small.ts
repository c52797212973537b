/**
 * `vit-small` — a small Vision Transformer (Dosovitskiy et al. 2021) on 28×28 inputs, built the way
 * `torch.onnx.export` (opset 17) writes a PyTorch/HF ViT: 4×4 patches by a stride-4 Conv → 49 tokens of dim 64 plus a
 * learned position embedding; 4 pre-norm blocks x ← x + attn(LN(x)); x ← x + mlp(LN(x)); final LN, mean over tokens,
 * Linear head. Attention has 4 heads of size 16 with separate q/k/v MatMuls (weights [in, out], bias Add), heads split
 * by Reshape [0, 0, 4, 16] + Transpose, scores q·kᵀ scaled by 1/√16, Softmax, ·v, Transpose + Reshape [0, 0, 64] back,
 * then the output projection. The MLP is 64 → 128 → 64 with exact GELU (the Erf form exported before opset 20).
 * Names follow timm: `patch_embed.proj.weight`, `blocks.0.attn.q.weight`, `blocks.0.mlp.fc1.bias`, `head.weight`.
 *
 * Parameters (10 classes): patch 1,088 + pos 3,136 + blocks 4 × 33,472 + norm 128 + head 650 = 138,890.
 * Weight MACs per sample (what `modelMetrics` counts): patch 50,176 + blocks 4 × 1,605,632 + head 640 = 6,473,344
 * (a block: q/k/v/proj 802,816 + MLP 802,816); the activation MatMuls q·kᵀ and ·v add 4 × 307,328 = 1,229,312.
 */
import { A } from '../ir/attrs.js';
import type { Graph } from '../ir/graph.js';
import { scalarF32 } from '../ir/tensor.js';
import { NetBuilder } from './net-builder.js';

export const VIT_SMALL = { patch: 4, tokens: 49, dim: 64, depth: 4, heads: 4, mlp: 128 } as const;

/** Multi-head self-attention over [N, T, D] with separate q/k/v projections. */
function attention(b: NetBuilder, x: string, prefix: string, dim: number, heads: number): string {
  const hd = dim / heads;
  const split = b.shapeConst(`${prefix}.split_heads`, [0, 0, heads, hd]);
  const q = b.transpose(b.reshape(b.matmulLinear(x, `${prefix}.q`, dim, dim), split), [0, 2, 1, 3]);
  const k = b.transpose(b.reshape(b.matmulLinear(x, `${prefix}.k`, dim, dim), split), [0, 2, 3, 1]);
  const v = b.transpose(b.reshape(b.matmulLinear(x, `${prefix}.v`, dim, dim), split), [0, 2, 1, 3]);
  const scale = b.g.addInitializer(`${prefix}.scale`, scalarF32(1 / Math.sqrt(hd)), true);
  const scores = b.g.add('MatMul', [q, k], {}, { name: `${prefix}.qk` })[0]!;
  const scaled = b.g.add('Mul', [scores, scale], {}, { name: `${prefix}.scale_mul` })[0]!;
  const attn = b.g.add('Softmax', [scaled], { axis: A.int(-1) }, { name: `${prefix}.softmax` })[0]!;
  const ctx = b.g.add('MatMul', [attn, v], {}, { name: `${prefix}.av` })[0]!;
  const merged = b.reshape(b.transpose(ctx, [0, 2, 1, 3]), b.shapeConst(`${prefix}.merge_heads`, [0, 0, dim]));
  return b.matmulLinear(merged, `${prefix}.proj`, dim, dim);
}

function block(b: NetBuilder, x: string, prefix: string): string {
  const { dim, heads, mlp } = VIT_SMALL;
  const a = attention(b, b.layerNorm(x, `${prefix}.norm1`, dim), `${prefix}.attn`, dim, heads);
  const x1 = b.add(x, a, `${prefix}.add1`);
  const h = b.gelu(
    b.matmulLinear(b.layerNorm(x1, `${prefix}.norm2`, dim), `${prefix}.mlp.fc1`, dim, mlp),
    `${prefix}.mlp.act`,
  );
  return b.add(x1, b.matmulLinear(h, `${prefix}.mlp.fc2`, mlp, dim), `${prefix}.add2`);
}

export function buildVitSmall(seed: number, numClasses: number): Graph {
  const { patch, tokens, dim, depth } = VIT_SMALL;
  const b = new NetBuilder('vit-small', seed, ['N', 1, 28, 28]);
  const p = b.conv('input', 'patch_embed.proj', { cin: 1, cout: dim, k: patch, stride: patch });
  const flat = b.reshape(p, b.shapeConst('patch_embed.flatten_shape', [0, dim, tokens]));
  let x = b.add(b.transpose(flat, [0, 2, 1]), b.learned('pos_embed', [1, tokens, dim], 0.02), 'pos_add');
  for (let i = 0; i < depth; i++) x = block(b, x, `blocks.${i}`);
  const pooled = b.g.add(
    'ReduceMean',
    [b.layerNorm(x, 'norm', dim)],
    { axes: A.ints([1]), keepdims: A.int(0) },
    { name: 'pool' },
  )[0]!;
  return b.finish(b.linear(pooled, 'head', dim, numClasses, 'logits'), numClasses);
}
