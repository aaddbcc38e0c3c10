"""Item-specific application forms (申请表): the facts each service item asks for.

An editor writes the form on the item's page in the back office (`blocks`, a StreamField); when
the page is published the form becomes an `ItemFormVersion` (`versions`), and an application
keeps the version it was filed under. Everything else reads the *definition*, a plain JSON
document (`schema` parses and checks it), so the page editor, the catalogue import and a partner
system all describe a form in the same words (docs/catalogue-format.md).

- `schema`: the definition, its field kinds and its own checks (a bad definition names its field);
- `values`: typed values from what was typed (one flat text per input), the one place the rules of
  a field are checked, and back again;
- `display`: the data as readable rows, masked for papers anyone may read.
"""
