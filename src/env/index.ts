export { assertPlainBranchName, branchMarker, domainFromBranch, perfBranchName, validateBranchName } from './branch.js';
export { type DetectOptions, detectEnvironment } from './detect.js';
export { renderSetupMarkdown } from './setup-markdown.js';
export * from './types.js';
