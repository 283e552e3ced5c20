/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The mock's origin, such as http://127.0.0.1:8080. */
  readonly VITE_TOOKEN_MOCK_URL?: string;
  /** The origin the page's logo comes from (a CDN in production). */
  readonly VITE_CDN_URL?: string;
}
