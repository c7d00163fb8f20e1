/* The schema that the ovsdb/ unit tests and fuzz targets share: one table
 * per feature of ovsdb(5) schemas (constraints of every atomic type, sets,
 * maps, strong and weak references, indexes, maxRows, immutable and
 * ephemeral columns, root and non-root tables). */
#ifndef TESTS_OVSDB_TEST_SCHEMA_H
#define TESTS_OVSDB_TEST_SCHEMA_H 1

static const char ovsdb_test_schema[] =
    "{\"name\":\"Test\",\"version\":\"1.2.3\",\"tables\":{\"Root\":{\"isRoot\""
    ":true,\"columns\":{\"name\":{\"type\":\"string\"},\"i\":{\"type\":{\"key"
    "\":{\"type\":\"integer\",\"minInteger\":-10,\"maxInteger\":1000}}},\"r\":"
    "{\"type\":{\"key\":{\"type\":\"real\",\"minReal\":-1.5,\"maxReal\":100}}}"
    ",\"b\":{\"type\":\"boolean\"},\"u\":{\"type\":\"uuid\"},\"s\":{\"type\":{"
    "\"key\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":4},\"min\":0,"
    "\"max\":1}},\"e\":{\"type\":{\"key\":{\"type\":\"string\",\"enum\":[\"set"
    "\",[\"a\",\"b\",\"c\"]]},\"min\":0,\"max\":\"unlimited\"}},\"iset\":{\"ty"
    "pe\":{\"key\":\"integer\",\"min\":0,\"max\":\"unlimited\"}},\"oi\":{\"typ"
    "e\":{\"key\":\"integer\",\"min\":0,\"max\":1}},\"rset\":{\"type\":{\"key"
    "\":\"real\",\"min\":0,\"max\":3}},\"m\":{\"type\":{\"key\":\"string\",\"v"
    "alue\":\"integer\",\"min\":0,\"max\":\"unlimited\"}},\"children\":{\"type"
    "\":{\"key\":{\"type\":\"uuid\",\"refTable\":\"Child\"},\"min\":0,\"max\":"
    "\"unlimited\"}},\"weak\":{\"type\":{\"key\":{\"type\":\"uuid\",\"refTable"
    "\":\"Child\",\"refType\":\"weak\"},\"min\":0,\"max\":\"unlimited\"}},\"wm"
    "ap\":{\"type\":{\"key\":\"string\",\"value\":{\"type\":\"uuid\",\"refTabl"
    "e\":\"Child\",\"refType\":\"weak\"},\"min\":0,\"max\":\"unlimited\"}},\"i"
    "mm\":{\"type\":\"integer\",\"mutable\":false},\"eph\":{\"type\":\"string"
    "\",\"ephemeral\":true},\"sm\":{\"type\":{\"key\":{\"type\":\"uuid\",\"ref"
    "Table\":\"Child\"},\"value\":{\"type\":\"uuid\",\"refTable\":\"Child\",\""
    "refType\":\"weak\"},\"min\":0,\"max\":\"unlimited\"}}},\"indexes\":[[\"na"
    "me\"]]},\"Child\":{\"columns\":{\"name\":{\"type\":\"string\"},\"next\":{"
    "\"type\":{\"key\":{\"type\":\"uuid\",\"refTable\":\"Child\"},\"min\":0,\""
    "max\":1}}}},\"Limited\":{\"isRoot\":true,\"maxRows\":2,\"columns\":{\"a\""
    ":{\"type\":\"integer\"},\"b\":{\"type\":\"string\"}},\"indexes\":[[\"a\","
    "\"b\"]]},\"W1\":{\"isRoot\":true,\"columns\":{\"w\":{\"type\":{\"key\":{"
    "\"type\":\"uuid\",\"refTable\":\"Child\",\"refType\":\"weak\"},\"min\":1,"
    "\"max\":1}},\"strong\":{\"type\":{\"key\":{\"type\":\"uuid\",\"refTable\""
    ":\"Child\"},\"min\":0,\"max\":\"unlimited\"}}}}}}";

#endif /* ovsdb-test-schema.h */
