export { PACKAGE_ROOT, VERSION } from '../package.js';
