// Where the stream lives on a server (spec §1): the path Hume's SDKs connect to.

export const STREAM_PATH = "/v0/stream/models";
