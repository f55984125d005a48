/**
 * Where `crsaug data fetch` downloads each dataset from. Every URL is pinned to a commit, except the
 * official ReDial archive, which its site only publishes on the `data` branch.
 *
 * Checksums: a sha256 is given only where this project holds a byte-identical copy of the file (git blob
 * ids checked, /work/shared/data/README.md §3) and computed it from that copy. Unknown checksums are
 * `undefined` and reported as "not verified": the official ReDial zip and its train_data.jsonl, and the
 * INSPIRED train.tsv, were never available here.
 */

/** One file to download; `entries` makes it a zip archive whose listed members are extracted. */
export interface RemoteFile {
  url: string;
  /** Path under the dataset folder (ignored for archives, whose entries name their own targets). */
  target: string;
  sha256?: string;
  entries?: { name: string; target: string; sha256?: string }[];
}

const CFCRS = 'https://raw.githubusercontent.com/wxl1999/CFCRS/0d7d5272d6b55af1180acebad0dd48020b8d7f4f/data';
const IEVALM =
  'https://raw.githubusercontent.com/txy77/iEvaLM-CRS/918ae381953d5ee7fd2d0a795337b00ad6cd7901/data';
const FNSCRS = 'https://raw.githubusercontent.com/xu1110/FNSCRS/9da3c1089d2f208573bb73d5821a60153fe8a9f7';
const INSPIRED_REPO =
  'https://raw.githubusercontent.com/sweetpeach/Inspired/99ee04ae170eccd0a4cd0f8d38136ce4b9c88708/data/dialog_data';
/** The official ReDial release, as linked from https://redialdata.github.io/website/. */
export const REDIAL_ZIP_URL = 'https://github.com/ReDialData/website/raw/data/redial_dataset.zip';

export const REDIAL_SOURCES: RemoteFile[] = [
  {
    url: `${CFCRS}/redial/entity2id.json`,
    target: 'entity2id.json',
    sha256: 'd530bd465e7a0edb19257d444d9665fda8271ec4d5aff235a417cad13848c52f',
  },
  {
    url: `${CFCRS}/redial/entity2type.json`,
    target: 'entity2type.json',
    sha256: 'e75311e2e1eb3b3560302268c964cb44aaf1467e6a4d186baf2267ad20ea984b',
  },
  {
    url: `${CFCRS}/redial/type2id.json`,
    target: 'type2id.json',
    sha256: '5803838ef2749ca801f00f0a86aa345411f3b4b2321e70fb4c357470a5349f37',
  },
  {
    url: `${CFCRS}/redial/relation2id.json`,
    target: 'relation2id.json',
    sha256: '028b39258502a41d81e7176f7d9f77b1b342c6a9dc42b5cf214309e590522027',
  },
  {
    url: `${CFCRS}/redial/item_ids.json`,
    target: 'item_ids.json',
    sha256: '73d1676353fff02ba6cb2cab093b2977579666a152621f1248d07791d7a3b0a6',
  },
  {
    url: `${CFCRS}/redial/kg.json`,
    target: 'kg.json',
    sha256: 'e3698d042926defb656b25873d4144d255aa914a575fcafa8af14cf434c867ff',
  },
  // CFCRS's own id2info.json has a stray byte and is not valid JSON; iEvaLM's copy is the fixed file.
  {
    url: `${IEVALM}/redial/id2info.json`,
    target: 'id2info.json',
    sha256: '7bdfe9a9c7f1b4d59aa9a5aeba0029071fd5a7232b61c8257212a335ffe424f7',
  },
  // The CFCRS linked valid split: its 1,000 conversationIds define which official-train dialogues are valid.
  {
    url: `${CFCRS}/redial/valid_data.jsonl`,
    target: 'valid_data.jsonl',
    sha256: '69b7cf81d0671c3dd0a1167df2e7e1e51ca76b3edce97022343d68f6974510a1',
  },
  // The linked test split is not published under 4 MiB anywhere; the processed test file is.
  {
    url: `${IEVALM}/redial_eval/test_data_processed.jsonl`,
    target: 'test_data_processed.jsonl',
    sha256: '8c8855aa872ade097691bb9feaeed6aaf4cfafa21575ebfcd8271b1e263f352b',
  },
  {
    url: REDIAL_ZIP_URL,
    target: 'raw/redial_dataset.zip',
    entries: [
      { name: 'train_data', target: 'raw/train_data.jsonl' },
      {
        name: 'test_data',
        target: 'raw/test_data.jsonl',
        sha256: 'd7781750787d104ac005e829cc7e6277d25b14644a223b0c2445aaaded6b19ac',
      },
      {
        name: 'movies_with_mentions',
        target: 'raw/movies_with_mentions.csv',
        sha256: '0d408daa474ac95b959a739a261dddd997dd800f5ea585da15a434a26187dbb0',
      },
    ],
  },
];

export const INSPIRED_SOURCES: RemoteFile[] = [
  {
    url: `${CFCRS}/inspired/entity2id.json`,
    target: 'entity2id.json',
    sha256: 'eb33d6ae862d2d00fcfa60d2c568eaf6aca772f5a5776b9336992a78261e7102',
  },
  {
    url: `${CFCRS}/inspired/entity2type.json`,
    target: 'entity2type.json',
    sha256: 'a2b51f3a4bc26903ac4e605b3f679fbb901c43ecf0fb8272e52401034d14935a',
  },
  {
    url: `${CFCRS}/inspired/type2id.json`,
    target: 'type2id.json',
    sha256: 'fe497934054d17b9471d1c9e9c98549e00de6c887fa9d3b2549a419c97a9ca3f',
  },
  {
    url: `${CFCRS}/inspired/relation2id.json`,
    target: 'relation2id.json',
    sha256: 'c83641aa66cb2ef002bcf0b7adbca7d2da14bbd3a0286d6855ff3206de2fb4ee',
  },
  {
    url: `${CFCRS}/inspired/item_ids.json`,
    target: 'item_ids.json',
    sha256: 'e3ba463d63e812ef4b351104668ab3b33d9fb59369175e9b925f2e0d286674df',
  },
  {
    url: `${CFCRS}/inspired/kg.json`,
    target: 'kg.json',
    sha256: '97263448b08d2b2fe8d1ec763945f6a45ba3971deea18b4ca83ba5893df9ea2a',
  },
  {
    url: `${FNSCRS}/BARCOR/kg_data/inspired/id2info_inspired.json`,
    target: 'id2info.json',
    sha256: '72a42bf1055597e1a7b6f7fcc0acda5377f635d630b9eedac026d3a75cae48bf',
  },
  // CFCRS linked valid/test give the reference processed files exactly; the TSVs give train.
  {
    url: `${CFCRS}/inspired/valid_data.jsonl`,
    target: 'valid_data.jsonl',
    sha256: 'e55a09138323d9c7cc3d13f96c53026c047ac5712779796205e401fd9b54f1df',
  },
  {
    url: `${CFCRS}/inspired/test_data.jsonl`,
    target: 'test_data.jsonl',
    sha256: '4612cc47655ad2489fd1d9cedcb4576287f0ad6de5c6a0b4f7585906d2467ce9',
  },
  { url: `${INSPIRED_REPO}/train.tsv`, target: 'raw/train.tsv' },
  {
    url: `${INSPIRED_REPO}/dev.tsv`,
    target: 'raw/dev.tsv',
    sha256: '15a955be002222ba9e95f886802e06a91fb5e457f8a25deae3e7908d58faa947',
  },
  {
    url: `${INSPIRED_REPO}/test.tsv`,
    target: 'raw/test.tsv',
    sha256: 'a10f63ff26045158460730d4829ffba74bee86fb744d9f48c1c1c511ef609993',
  },
];
