/**
 * Paints frames on the GPU with WebGL2: the shader generated from the
 * network's shape (see core/kernel/glsl-kernel.ts), fed each frame's weights,
 * parameters, view and colour as data. A program is compiled once per shape
 * and colour mode and reused for every frame after that.
 */
import {
  GLSL_UNIFORMS,
  GLSL_VERTEX_SHADER,
  GLSL_WEIGHTS_ROW,
  glslFragmentShader,
  glslWeightsFitUniforms,
  glslWeightsRows,
  gpuFrameLayout,
  gpuProgramKey,
  gpuWeightsLayout,
  packGpuWeights,
  packPalette,
  paletteKey,
  PALETTE_ENTRIES,
  writeFrameInputs,
  type FrameDescription,
  type GpuFrameLayout,
} from '../../browser/index.js';

interface CompiledProgram {
  program: WebGLProgram;
  /** vec4s of weights in a uniform array, or undefined when they go in the texture. */
  uniformVectors: number | undefined;
  frameLayout: GpuFrameLayout;
  uniforms: Map<string, WebGLUniformLocation | null>;
}

export type GpuPainterResult = { painter: GpuPainter } | { reason: string };

export class GpuPainter {
  private readonly programs = new Map<string, CompiledProgram>();
  private readonly weightsTexture: WebGLTexture;
  private readonly paletteTexture: WebGLTexture;
  private packedWeights: Float32Array<ArrayBuffer> | undefined;
  private frameInputs: Float32Array<ArrayBuffer> | undefined;
  private weightsRows = 0;
  private paletteKey = '';

  private constructor(
    readonly canvas: HTMLCanvasElement | OffscreenCanvas,
    private readonly gl: WebGL2RenderingContext,
  ) {
    this.weightsTexture = this.floatTexture();
    this.paletteTexture = this.floatTexture();
    gl.bindVertexArray(gl.createVertexArray());
  }

  /** A painter on `canvas`, or why the GPU path cannot run here. */
  static create(canvas: HTMLCanvasElement | OffscreenCanvas): GpuPainterResult {
    const gl = canvas.getContext('webgl2', { antialias: false, depth: false, stencil: false, preserveDrawingBuffer: true, premultipliedAlpha: false }) as WebGL2RenderingContext | null;
    if (!gl) return { reason: 'this browser offers no WebGL2' };
    try {
      return { painter: new GpuPainter(canvas, gl) };
    } catch (error) {
      return { reason: (error as Error).message };
    }
  }

  /** Renderer and vendor as the browser reports them (SwiftShader means software GL). */
  get renderer(): string {
    const info = this.gl.getExtension('WEBGL_debug_renderer_info');
    return info ? String(this.gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : String(this.gl.getParameter(this.gl.RENDERER));
  }

  private floatTexture(): WebGLTexture {
    const { gl } = this;
    const texture = gl.createTexture();
    if (!texture) throw new Error('WebGL2 could not create a texture');
    gl.bindTexture(gl.TEXTURE_2D, texture);
    // Float textures are read with texelFetch only: no filtering, which WebGL2 does not promise for 32-bit floats.
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    return texture;
  }

  private compile(frame: FrameDescription): CompiledProgram {
    const key = gpuProgramKey(frame.shape, frame.features, frame.colour.mode);
    const cached = this.programs.get(key);
    if (cached) return cached;
    const { gl } = this;
    const shader = (type: number, source: string): WebGLShader => {
      const s = gl.createShader(type)!;
      gl.shaderSource(s, source);
      gl.compileShader(s);
      if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(`the GPU shader did not compile: ${gl.getShaderInfoLog(s)}`);
      return s;
    };
    const program = gl.createProgram()!;
    gl.attachShader(program, shader(gl.VERTEX_SHADER, GLSL_VERTEX_SHADER));
    const fits = glslWeightsFitUniforms(frame.shape, frame.features, gl.getParameter(gl.MAX_FRAGMENT_UNIFORM_VECTORS) as number);
    const uniformVectors = fits ? gpuWeightsLayout(frame.shape).vectors : undefined;
    gl.attachShader(program, shader(gl.FRAGMENT_SHADER, glslFragmentShader({ shape: frame.shape, features: frame.features, colourMode: frame.colour.mode, weightsInUniforms: fits })));
    gl.linkProgram(program);
    if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(`the GPU program did not link: ${gl.getProgramInfoLog(program)}`);
    const uniforms = new Map<string, WebGLUniformLocation | null>();
    for (const name of Object.values(GLSL_UNIFORMS)) uniforms.set(name, gl.getUniformLocation(program, name));
    const compiled = { program, uniforms, uniformVectors, frameLayout: gpuFrameLayout(frame.shape, frame.features) };
    this.programs.set(key, compiled);
    return compiled;
  }

  /** Weights too many for uniforms go in a float texture (4 per texel). */
  private uploadWeightsTexture(): void {
    const { gl } = this;
    const packed = this.packedWeights!;
    const rows = packed.length / (GLSL_WEIGHTS_ROW * 4);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, this.weightsTexture);
    if (rows !== this.weightsRows) {
      gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA32F, GLSL_WEIGHTS_ROW, rows, 0, gl.RGBA, gl.FLOAT, packed);
      this.weightsRows = rows;
    } else {
      gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, GLSL_WEIGHTS_ROW, rows, gl.RGBA, gl.FLOAT, packed);
    }
  }

  /** Draws the frame into the canvas, which takes the frame's size. */
  paint(frame: FrameDescription): void {
    const { gl, canvas } = this;
    if (canvas.width !== frame.width) canvas.width = frame.width;
    if (canvas.height !== frame.height) canvas.height = frame.height;
    const { program, uniforms, uniformVectors, frameLayout } = this.compile(frame);
    gl.useProgram(program);
    const u = (name: string): WebGLUniformLocation | null => uniforms.get(name) ?? null;

    if (uniformVectors !== undefined) {
      this.packedWeights = packGpuWeights(frame.shape, frame.weights, this.packedWeights);
      gl.uniform4fv(u(GLSL_UNIFORMS.weights), this.packedWeights);
    } else {
      // Padded to whole texture rows.
      this.packedWeights = packGpuWeights(frame.shape, frame.weights, this.packedWeights, glslWeightsRows(frame.shape) * GLSL_WEIGHTS_ROW);
      this.uploadWeightsTexture();
      gl.uniform1i(u(GLSL_UNIFORMS.weightsTexture), 0);
    }

    gl.activeTexture(gl.TEXTURE1);
    gl.bindTexture(gl.TEXTURE_2D, this.paletteTexture);
    const key = paletteKey(frame.colour);
    if (key !== this.paletteKey) {
      gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA32F, PALETTE_ENTRIES, 1, 0, gl.RGBA, gl.FLOAT, packPalette(frame.colour));
      this.paletteKey = key;
    }
    gl.uniform1i(u(GLSL_UNIFORMS.palette), 1);

    this.frameInputs = writeFrameInputs(frameLayout, frame, this.frameInputs?.length === frameLayout.vectors * 4 ? this.frameInputs : undefined);
    gl.uniform4fv(u(GLSL_UNIFORMS.frame), this.frameInputs);

    gl.viewport(0, 0, frame.width, frame.height);
    gl.drawArrays(gl.TRIANGLES, 0, 3);
  }

  /** Waits until the GPU has finished what was drawn (for honest frame timings). */
  finish(): void {
    const pixel = new Uint8Array(4);
    this.gl.readPixels(0, 0, 1, 1, this.gl.RGBA, this.gl.UNSIGNED_BYTE, pixel);
  }

  /** The last frame's pixels, RGBA, rows from the top (as the CPU renders them). */
  readPixels(): Uint8Array {
    const { gl, canvas } = this;
    const { width, height } = canvas;
    const flipped = new Uint8Array(width * height * 4);
    gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, flipped);
    const rows = new Uint8Array(flipped.length);
    const stride = width * 4;
    for (let y = 0; y < height; y++) rows.set(flipped.subarray((height - 1 - y) * stride, (height - y) * stride), y * stride);
    return rows;
  }
}
