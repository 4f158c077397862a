/** Style sheets imported for their effect; esbuild bundles them into the CSS output. */
declare module "*.css";
