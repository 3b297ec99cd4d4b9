/**
 * How large the inputs a scene comes from may be: one place for each limit.
 * The loaders, the metadata readers and their messages read them from here,
 * and docs/limits.md says why each one is what it is.
 */
const MB = 1024 * 1024;

export const INPUT_LIMITS = {
  /** Bytes of a scene file: the YAML parse tree takes many times the text's size. */
  sceneFile: 4 * MB,
  /** Bytes of a weights file (JSON); `network` limits the weights themselves. */
  weightsFile: 4 * MB,
  /** Bytes of a picture to fit: far more than a photograph or a large PNG takes; a fit works on a few hundred pixels a side. */
  targetImage: 256 * MB,
  /**
   * Values (scalars, lists, mappings) in a scene, every alias and merge
   * counted at each place it is used: a scene of 6000 keyframes has about
   * 70 000. Each value costs memory and time in validation, and an alias
   * costs nothing to write, so the expanded count is what is limited.
   */
  values: 150_000,
  /**
   * Characters of text (keys and strings) in a scene, aliases and merges
   * expanded: twice a scene file, so aliases may repeat text but a few lines
   * cannot become gigabytes when the scene is stored in an output.
   */
  text: 8 * MB,
  /** Lists and mappings inside each other: a scene needs six levels; each level is a frame of recursion in the parser and the checks. */
  depth: 64,
  /**
   * Bytes of a scene stored in an output (the JSON, unpacked): room for
   * `text` with JSON's quoting, so what a render stores reads back. A
   * compressed stored scene is unpacked only up to this size.
   */
  storedScene: 16 * MB,
} as const;
