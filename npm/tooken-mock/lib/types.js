// The API's types (lib/api.d.ts, generated from openapi/openapi.json) have no runtime part.
export {};
