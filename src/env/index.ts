export { detectEnvironment, type DetectOptions } from './detect.js';
export { renderSetupMarkdown } from './setup-markdown.js';
export { branchMarker, domainFromBranch, perfBranchName, validateBranchName } from './branch.js';
export * from './types.js';
