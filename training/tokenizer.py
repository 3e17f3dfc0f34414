"""BERT WordPiece tokenizer: vocabulary builder, tokenizer.json writer, and a Python encoder
that reproduces `@huggingface/tokenizers` 0.2.0 (the JS library clipdex uses) id for id.

Behaviour (mirrors the JS implementation, including its quirks):
  1. split the raw text on the special tokens ([PAD] [UNK] [CLS] [SEP] [MASK], not normalised);
  2. BertNormalizer: drop NUL, U+FFFD and Cc/Cf/Co/Cs characters (tab/CR/LF become spaces), every
     JS `\\s` whitespace becomes ' '; put spaces around CJK ideographs of the BMP
     (U+4E00-9FFF, U+3400-4DBF, U+F900-FAFF; the JS code tests UTF-16 units, so astral
     ideographs are not split); lowercase; NFD and drop Mn marks (strip accents);
  3. BertPreTokenizer: trim, then runs of non-space non-punctuation, or single punctuation
     characters (Unicode P* plus ASCII !-/ :-@ [-` {-~);
  4. WordPiece, greedy longest match, continuation prefix "##", words over 100 characters -> [UNK];
  5. [CLS] ... [SEP]; clipdex truncates the word pieces to MAX_LEN-2 and pads with [PAD]=0.
"""
import unicodedata

PAD, UNK, CLS, SEP, MASK = "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"
SPECIALS = [PAD, UNK, CLS, SEP, MASK]

JS_SPACE = set("\t\n\x0b\x0c\r \xa0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff") | {
    chr(c) for c in range(0x2000, 0x200B)}


def _is_control(ch):
    if ch in "\t\n\r":
        return False
    return unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs")


def _is_cjk(cp):
    return 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0xF900 <= cp <= 0xFAFF


def _is_punct(ch):
    cp = ord(ch)
    if 0x21 <= cp <= 0x2F or 0x3A <= cp <= 0x40 or 0x5B <= cp <= 0x60 or 0x7B <= cp <= 0x7E:
        return True
    return unicodedata.category(ch).startswith("P")


def normalize(text):
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or _is_control(ch):
            continue
        out.append(" " if ch in JS_SPACE else ch)
    text = "".join(out)
    out = []
    for ch in text:
        if _is_cjk(ord(ch)):
            out.append(" " + ch + " ")
        else:
            out.append(ch)
    text = "".join(out).lower()
    text = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


def pre_tokenize(text):
    # JS: text.trim().match(/[^\s P]+|[P]/gu)
    words, cur = [], []
    for ch in text:
        if ch in JS_SPACE:
            if cur:
                words.append("".join(cur))
                cur = []
        elif _is_punct(ch):
            if cur:
                words.append("".join(cur))
                cur = []
            words.append(ch)
        else:
            cur.append(ch)
    if cur:
        words.append("".join(cur))
    return words


def _split_specials(text):
    """DictionarySplitter over the special tokens (leftmost, longest match)."""
    out, start, i, n = [], 0, 0, len(text)
    while i < n:
        match = None
        for s in SPECIALS:
            if text.startswith(s, i) and (match is None or len(s) > len(match)):
                match = s
        if match:
            if i > start:
                out.append(text[start:i])
            out.append(match)
            i += len(match)
            start = i
        else:
            i += 1
    if start < n:
        out.append(text[start:])
    return out


class WordPieceTokenizer:
    def __init__(self, vocab, max_len=32, max_chars=100):
        self.vocab = vocab                      # list of tokens, index = id
        self.ids = {t: i for i, t in enumerate(vocab)}
        self.max_len = max_len
        self.max_chars = max_chars
        self.pad_id = self.ids[PAD]

    @classmethod
    def from_vocab_file(cls, path, max_len=32):
        with open(path, encoding="utf-8") as f:
            vocab = [line.rstrip("\n") for line in f]
        return cls(vocab, max_len)

    def wordpiece(self, word):
        chars = list(word)
        if len(chars) > self.max_chars:
            return [UNK]
        pieces, start = [], 0
        while start < len(chars):
            end, cur = len(chars), None
            while start < end:
                sub = "".join(chars[start:end])
                if start > 0:
                    sub = "##" + sub
                if sub in self.ids:
                    cur = sub
                    break
                end -= 1
            if cur is None:
                return [UNK]
            pieces.append(cur)
            start = end
        return pieces

    def tokenize(self, text):
        tokens = []
        for section in _split_specials(text):
            if not section:
                continue
            if section in SPECIALS:
                tokens.append(section)
                continue
            norm = normalize(section)
            if not norm:
                continue
            for w in pre_tokenize(norm):
                tokens.extend(self.wordpiece(w))
        return tokens

    def encode_full(self, text):
        """Exactly what @huggingface/tokenizers' encode(text) returns (no truncation)."""
        return [self.ids[CLS]] + [self.ids.get(t, self.ids[UNK]) for t in self.tokenize(text)] + [self.ids[SEP]]

    def encode(self, text):
        """clipdex encoding: word pieces truncated to max_len-2, then [CLS] ... [SEP]."""
        pieces = [self.ids.get(t, self.ids[UNK]) for t in self.tokenize(text)][: self.max_len - 2]
        return [self.ids[CLS]] + pieces + [self.ids[SEP]]

    def batch(self, texts, pad_to=None):
        seqs = [self.encode(t) for t in texts]
        n = pad_to or max(len(s) for s in seqs)
        ids = [s + [self.pad_id] * (n - len(s)) for s in seqs]
        mask = [[1] * len(s) + [0] * (n - len(s)) for s in seqs]
        return ids, mask


def build_vocab(texts, min_word_freq=1, max_words=12000):
    """Specials, single characters (+ '##' continuations for ASCII letters/digits and common
    suffixes), every CJK character seen, and whole words seen in the captions."""
    from collections import Counter
    words, chars = Counter(), Counter()
    for t in texts:
        for w in pre_tokenize(normalize(t)):
            words[w] += 1
            for ch in w:
                chars[ch] += 1
    vocab = list(SPECIALS)
    seen = set(vocab)

    def add(tok):
        if tok not in seen:
            seen.add(tok)
            vocab.append(tok)

    for c in "!\"#$%&'()*+,-./0123456789:;<=>?@[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~":
        add(c)
    for c in "abcdefghijklmnopqrstuvwxyz0123456789":
        add("##" + c)
    for suf in ["s", "es", "ed", "ing", "er", "ers", "est", "ly", "y", "ies", "ish", "less", "ness", "ful"]:
        add("##" + suf)
    # every character seen (CJK ideographs, other scripts, symbols) as a word start
    for ch, _ in sorted(chars.items(), key=lambda kv: (-kv[1], kv[0])):
        add(ch)
    for ch, _ in sorted(chars.items(), key=lambda kv: (-kv[1], kv[0])):
        if not _is_cjk(ord(ch)) and not _is_punct(ch):
            add("##" + ch)
    n = 0
    for w, f in sorted(words.items(), key=lambda kv: (-kv[1], kv[0])):
        if f < min_word_freq or len(w) < 2 or n >= max_words:
            continue
        add(w)
        n += 1
    return vocab


def tokenizer_json(vocab, max_len):
    ids = {t: i for i, t in enumerate(vocab)}
    return {
        "version": "1.0",
        "truncation": {"direction": "Right", "max_length": max_len, "strategy": "LongestFirst", "stride": 0},
        "padding": None,
        "added_tokens": [
            {"id": ids[s], "content": s, "single_word": False, "lstrip": False, "rstrip": False,
             "normalized": False, "special": True} for s in SPECIALS],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": CLS, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": SEP, "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": CLS, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": SEP, "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": SEP, "type_id": 1}}],
            "special_tokens": {
                CLS: {"id": CLS, "ids": [ids[CLS]], "tokens": [CLS]},
                SEP: {"id": SEP, "ids": [ids[SEP]], "tokens": [SEP]},
            },
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": UNK, "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": ids},
    }


def tokenizer_config(max_len):
    return {
        "tokenizer_class": "BertTokenizer",
        "do_lower_case": True,
        "do_basic_tokenize": True,
        "tokenize_chinese_chars": True,
        "strip_accents": None,
        "model_max_length": max_len,
        "padding_side": "right",
        "truncation_side": "right",
        "unk_token": UNK,
        "sep_token": SEP,
        "pad_token": PAD,
        "cls_token": CLS,
        "mask_token": MASK,
        "clean_up_tokenization_spaces": True,
    }
