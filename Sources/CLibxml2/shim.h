// libxml2's HTML parser and tree, for the article extractor. The include path
// (/usr/include/libxml2) comes from pkg-config libxml-2.0.
#include <libxml/xmlversion.h>
// Debian builds libxml2 with ICU, and encoding.h then includes ICU's headers, which clash with
// the copy Foundation bundles ("UErrorCode has different definitions"). The extractor never
// touches the ICU converter fields, so the headers are read as if ICU were off.
#undef LIBXML_ICU_ENABLED
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/parser.h>
// xmlSwitchToEncoding, to name the encoding of a parser context fed SAX handlers.
#include <libxml/parserInternals.h>
