/* Job create validation (§1.4): one passing and one failing case per rule,
 * with Kubernetes' exact texts. The book's manifests: test_api_validate_book.c.
 * Defaulting and preparation: test_api_validate_defaults.c. Update and
 * status rules: test_api_validate_update.c. Rendering: test_api_validate_fielderr.c. */
#include "test_api_validate.h"

#define SUBDOMAIN_MSG                                                                          \
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' " \
    "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "     \
    "regex used for validation is "                                                            \
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
#define LABEL_MSG                                                                              \
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "  \
    "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "  \
    "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
#define QNAME_MSG                                                                              \
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and " \
    "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex " \
    "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
#define LABEL_VALUE_MSG                                                                        \
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' " \
    "or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "     \
    "'my_value',  or '12345', regex used for validation is "                                  \
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"

#define GEN_LABELS                                                                             \
    "\"batch.kubernetes.io/controller-uid\":\"uid-1\",\"batch.kubernetes.io/job-name\":\"pi\"," \
    "\"controller-uid\":\"uid-1\",\"job-name\":\"pi\""

#define PFP(rules) "{\"spec\":{\"podFailurePolicy\":{\"rules\":[" rules "]}}}"
#define RULE_EXIT(action, op, values)                                                          \
    "{\"action\":\"" action "\",\"onExitCodes\":{\"operator\":\"" op "\",\"values\":" values "}}"
#define SP(completions, rules)                                                                 \
    "{\"spec\":{\"completionMode\":\"Indexed\",\"completions\":" completions                   \
    ",\"successPolicy\":{\"rules\":" rules "}}}"
#define CONTAINER(extra)                                                                       \
    "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"pi\",\"image\":\"perl\"," extra \
    "}]}}}}"

struct vcase {
    const char *name;
    const char *patch;
    const char *uid; /* NULL = TEST_UID */
    const char *want[8];
};

static const struct vcase cases[] = {
    /* ---- metadata ---- */
    {"valid base job", NULL, NULL, {NULL}},
    {"name missing", "{\"metadata\":{\"name\":null}}", NULL,
     {"metadata.name: Required value: name or generateName is required", NULL}},
    {"generateName expands", "{\"metadata\":{\"name\":null,\"generateName\":\"pi-\"}}", NULL, {NULL}},
    {"bad generateName", "{\"metadata\":{\"name\":null,\"generateName\":\"Pi-\"}}", NULL,
     {"metadata.generateName: Invalid value: \"Pi-\": " SUBDOMAIN_MSG,
      "metadata.name: Invalid value: \"Pi-", NULL}},
    {"name not a subdomain", "{\"metadata\":{\"name\":\"Bad_Name\"}}", NULL,
     {"metadata.name: Invalid value: \"Bad_Name\": " SUBDOMAIN_MSG, NULL}},
    {"name with dots is a valid subdomain", "{\"metadata\":{\"name\":\"pi.v2\"}}", NULL, {NULL}},
    {"namespace missing", "{\"metadata\":{\"namespace\":null}}", NULL,
     {"metadata.namespace: Required value", NULL}},
    {"namespace not a label", "{\"metadata\":{\"namespace\":\"a.b\"}}", NULL,
     {"metadata.namespace: Invalid value: \"a.b\": must not contain dots", NULL}},
    {"uid empty", NULL, "", {"metadata.uid: Required value", NULL}},
    {"bad job label value", "{\"metadata\":{\"labels\":{\"a\":\"bad value\"}}}", NULL,
     {"metadata.labels: Invalid value: \"bad value\": " LABEL_VALUE_MSG, NULL}},
    {"bad job label key", "{\"metadata\":{\"labels\":{\"a b\":\"x\"}}}", NULL,
     {"metadata.labels: Invalid value: \"a b\": " QNAME_MSG, NULL}},
    {"bad annotation key", "{\"metadata\":{\"annotations\":{\"a b\":\"x\"}}}", NULL,
     {"metadata.annotations: Invalid value: \"a b\": " QNAME_MSG, NULL}},
    {"annotation key case does not matter", "{\"metadata\":{\"annotations\":{\"A\":\"x\"}}}", NULL,
     {NULL}},
    {"bad finalizer", "{\"metadata\":{\"finalizers\":[\"a b\"]}}", NULL,
     {"metadata.finalizers: Invalid value: \"a b\": " QNAME_MSG, NULL}},
    {"owner reference without uid",
     "{\"metadata\":{\"ownerReferences\":[{\"apiVersion\":\"v1\",\"kind\":\"X\",\"name\":\"x\"}]}}",
     NULL, {"metadata.ownerReferences.uid: Invalid value: \"\": must not be empty", NULL}},
    {"indexed name fits", "{\"metadata\":{\"name\":\"" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" "\"},"
     "\"spec\":{\"completionMode\":\"Indexed\",\"completions\":100}}", NULL, {NULL}},
    {"indexed name too long for last index",
     "{\"metadata\":{\"name\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"},"
     "\"spec\":{\"completionMode\":\"Indexed\",\"completions\":1000}}", NULL,
     {"metadata.name: Invalid value: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\": "
      "will not able to create pod with invalid DNS label: "
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-999", NULL}},
    /* ---- non-negative fields ---- */
    {"parallelism -1", "{\"spec\":{\"parallelism\":-1}}", NULL,
     {"spec.parallelism: Invalid value: -1: must be greater than or equal to 0", NULL}},
    {"parallelism 0", "{\"spec\":{\"parallelism\":0}}", NULL, {NULL}},
    {"completions -1", "{\"spec\":{\"completions\":-1}}", NULL,
     {"spec.completions: Invalid value: -1: must be greater than or equal to 0", NULL}},
    {"completions 0", "{\"spec\":{\"completions\":0}}", NULL, {NULL}},
    {"activeDeadlineSeconds -1", "{\"spec\":{\"activeDeadlineSeconds\":-1}}", NULL,
     {"spec.activeDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0", NULL}},
    {"activeDeadlineSeconds 100", "{\"spec\":{\"activeDeadlineSeconds\":100}}", NULL, {NULL}},
    {"backoffLimit -1", "{\"spec\":{\"backoffLimit\":-1}}", NULL,
     {"spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0", NULL}},
    {"backoffLimit 0", "{\"spec\":{\"backoffLimit\":0}}", NULL, {NULL}},
    {"ttlSecondsAfterFinished -1", "{\"spec\":{\"ttlSecondsAfterFinished\":-1}}", NULL,
     {"spec.ttlSecondsAfterFinished: Invalid value: -1: must be greater than or equal to 0", NULL}},
    {"ttlSecondsAfterFinished 0", "{\"spec\":{\"ttlSecondsAfterFinished\":0}}", NULL, {NULL}},
    {"backoffLimitPerIndex -1",
     "{\"spec\":{\"completionMode\":\"Indexed\",\"completions\":3,\"backoffLimitPerIndex\":-1}}", NULL,
     {"spec.backoffLimitPerIndex: Invalid value: -1: must be greater than or equal to 0", NULL}},
    {"backoffLimitPerIndex on Indexed",
     "{\"spec\":{\"completionMode\":\"Indexed\",\"completions\":3,\"backoffLimitPerIndex\":1,"
     "\"maxFailedIndexes\":1}}", NULL, {NULL}},
    {"maxFailedIndexes -1",
     "{\"spec\":{\"completionMode\":\"Indexed\",\"completions\":3,\"backoffLimitPerIndex\":1,"
     "\"maxFailedIndexes\":-1}}", NULL,
     {"spec.maxFailedIndexes: Invalid value: -1: must be greater than or equal to 0", NULL}},
    {"maxFailedIndexes without backoffLimitPerIndex",
     "{\"spec\":{\"completionMode\":\"Indexed\",\"completions\":3,\"maxFailedIndexes\":1}}", NULL,
     {"spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified", NULL}},
    /* ---- completion mode ---- */
    {"bad completionMode", "{\"spec\":{\"completionMode\":\"Foo\"}}", NULL,
     {"spec.completionMode: Unsupported value: \"Foo\": supported values: \"NonIndexed\", \"Indexed\"",
      NULL}},
    {"indexed without completions", "{\"spec\":{\"completionMode\":\"Indexed\",\"parallelism\":2}}",
     NULL, {"spec.completions: Required value: when completion mode is Indexed", NULL}},
    {"indexed parallelism too high",
     "{\"spec\":{\"completionMode\":\"Indexed\",\"completions\":5,\"parallelism\":100001}}", NULL,
     {"spec.parallelism: Invalid value: 100001: must be less than or equal to 100000 when "
      "completion mode is Indexed", NULL}},
    {"indexed parallelism at limit",
     "{\"spec\":{\"completionMode\":\"Indexed\",\"completions\":5,\"parallelism\":100000}}", NULL,
     {NULL}},
    {"maxFailedIndexes above completions",
     "{\"spec\":{\"completionMode\":\"Indexed\",\"completions\":3,\"backoffLimitPerIndex\":1,"
     "\"maxFailedIndexes\":4}}", NULL,
     {"spec.maxFailedIndexes: Invalid value: 4: must be less than or equal to completions", NULL}},
    {"maxFailedIndexes above 100000",
     "{\"spec\":{\"completionMode\":\"Indexed\",\"completions\":200000,\"backoffLimitPerIndex\":1,"
     "\"maxFailedIndexes\":100001}}", NULL,
     {"spec.maxFailedIndexes: Invalid value: 100001: must be less than or equal to 100000",
      "spec.maxFailedIndexes: Invalid value: 100001: must be less than or equal to 10000 when "
      "completions are above 100000 and used with backoff limit per index", NULL}},
    {"high completions need maxFailedIndexes",
     "{\"spec\":{\"completionMode\":\"Indexed\",\"completions\":100001,\"backoffLimitPerIndex\":1,"
     "\"parallelism\":10001}}", NULL,
     {"spec.maxFailedIndexes: Required value: must be specified when completions is above 100000",
      "spec.parallelism: Invalid value: 10001: must be less than or equal to 10000 when "
      "completions are above 100000 and used with backoff limit per index", NULL}},
    {"high completions within limits",
     "{\"spec\":{\"completionMode\":\"Indexed\",\"completions\":100001,\"backoffLimitPerIndex\":1,"
     "\"parallelism\":10000,\"maxFailedIndexes\":10000}}", NULL, {NULL}},
    {"backoffLimitPerIndex needs Indexed", "{\"spec\":{\"backoffLimitPerIndex\":1}}", NULL,
     {"spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode", NULL}},
    {"maxFailedIndexes needs Indexed",
     "{\"spec\":{\"backoffLimitPerIndex\":1,\"maxFailedIndexes\":1}}", NULL,
     {"spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode",
      "spec.maxFailedIndexes: Invalid value: 1: requires indexed completion mode", NULL}},
    {"successPolicy needs Indexed",
     "{\"spec\":{\"successPolicy\":{\"rules\":[{\"succeededCount\":1}]}}}", NULL,
     {"spec.successPolicy: Invalid value: {\"rules\":[{\"succeededCount\":1}]}: requires indexed "
      "completion mode", NULL}},
    /* ---- managedBy ---- */
    {"managedBy job controller", "{\"spec\":{\"managedBy\":\"kubernetes.io/job-controller\"}}", NULL,
     {NULL}},
    {"managedBy without prefix", "{\"spec\":{\"managedBy\":\"foo\"}}", NULL,
     {"spec.managedBy: Invalid value: \"foo\": must be a domain-prefixed path (such as "
      "\"acme.io/foo\")", NULL}},
    {"managedBy too long",
     "{\"spec\":{\"managedBy\":\"example.com/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}}",
     NULL, {"spec.managedBy: Too long: may not be more than 63 bytes", NULL}},
    /* ---- restartPolicy / podReplacementPolicy ---- */
    {"restartPolicy OnFailure", "{\"spec\":{\"template\":{\"spec\":{\"restartPolicy\":\"OnFailure\"}}}}",
     NULL, {NULL}},
    {"restartPolicy missing", "{\"spec\":{\"template\":{\"spec\":{\"restartPolicy\":null}}}}", NULL,
     {"spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"",
      NULL}},
    {"restartPolicy Always", "{\"spec\":{\"template\":{\"spec\":{\"restartPolicy\":\"Always\"}}}}",
     NULL,
     {"spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"",
      NULL}},
    {"restartPolicy unknown", "{\"spec\":{\"template\":{\"spec\":{\"restartPolicy\":\"Sometimes\"}}}}",
     NULL,
     {"spec.template.spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: "
      "\"Always\", \"OnFailure\", \"Never\"",
      "spec.template.spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: "
      "\"OnFailure\", \"Never\"", NULL}},
    {"podFailurePolicy needs Never",
     "{\"spec\":{\"podFailurePolicy\":{\"rules\":[" RULE_EXIT("FailJob", "In", "[42]") "]},"
     "\"template\":{\"spec\":{\"restartPolicy\":\"OnFailure\"}}}}", NULL,
     {"spec.template.spec.restartPolicy: Invalid value: \"OnFailure\": only \"Never\" is "
      "supported when podFailurePolicy is specified", NULL}},
    {"podReplacementPolicy with podFailurePolicy",
     "{\"spec\":{\"podReplacementPolicy\":\"TerminatingOrFailed\",\"podFailurePolicy\":{\"rules\":["
     RULE_EXIT("FailJob", "In", "[42]") "]}}}", NULL,
     {"spec.podReplacementPolicy: Unsupported value: \"TerminatingOrFailed\": supported values: "
      "\"Failed\"", NULL}},
    {"podReplacementPolicy Failed", "{\"spec\":{\"podReplacementPolicy\":\"Failed\"}}", NULL, {NULL}},
    {"podReplacementPolicy unknown", "{\"spec\":{\"podReplacementPolicy\":\"X\"}}", NULL,
     {"spec.podReplacementPolicy: Unsupported value: \"X\": supported values: \"Failed\", "
      "\"TerminatingOrFailed\"", NULL}},
    /* ---- selector ---- */
    {"manual selector without selector", "{\"spec\":{\"manualSelector\":true}}", NULL,
     {"spec.selector: Required value",
      "spec.template.metadata.labels: Invalid value: {}: `selector` does not match template "
      "`labels`", NULL}},
    {"manual selector matching",
     "{\"spec\":{\"manualSelector\":true,\"selector\":{\"matchLabels\":{\"a\":\"b\"}},"
     "\"template\":{\"metadata\":{\"labels\":{\"a\":\"b\"}}}}}", NULL, {NULL}},
    {"manual selector not matching",
     "{\"spec\":{\"manualSelector\":true,\"selector\":{\"matchLabels\":{\"a\":\"b\"}},"
     "\"template\":{\"metadata\":{\"labels\":{\"a\":\"c\"}}}}}", NULL,
     {"spec.template.metadata.labels: Invalid value: {\"a\":\"c\"}: `selector` does not match "
      "template `labels`", NULL}},
    {"bad selector operator",
     "{\"spec\":{\"manualSelector\":true,\"selector\":{\"matchExpressions\":[{\"key\":\"a\","
     "\"operator\":\"Near\"}]},\"template\":{\"metadata\":{\"labels\":{\"a\":\"c\"}}}}}", NULL,
     {"spec.selector.matchExpressions[0].operator: Invalid value: \"Near\": not a valid selector "
      "operator", NULL}},
    {"In selector without values",
     "{\"spec\":{\"manualSelector\":true,\"selector\":{\"matchExpressions\":[{\"key\":\"a\","
     "\"operator\":\"In\"}]},\"template\":{\"metadata\":{\"labels\":{\"a\":\"c\"}}}}}", NULL,
     {"spec.selector.matchExpressions[0].values: Required value: must be specified when "
      "`operator` is 'In' or 'NotIn'", NULL}},
    {"tampered job-name label",
     "{\"spec\":{\"template\":{\"metadata\":{\"labels\":{\"job-name\":\"other\"}}}}}", NULL,
     {"spec.template.metadata.labels[job-name]: Invalid value: "
      "{\"batch.kubernetes.io/controller-uid\":\"uid-1\",\"batch.kubernetes.io/job-name\":\"pi\","
      "\"controller-uid\":\"uid-1\",\"job-name\":\"other\"}: must be 'pi'", NULL}},
    {"tampered prefixed controller-uid label",
     "{\"spec\":{\"template\":{\"metadata\":{\"labels\":{\"batch.kubernetes.io/controller-uid\":"
     "\"x\"}}}}}", NULL,
     {"spec.template.metadata.labels[batch.kubernetes.io/controller-uid]: Invalid value: "
      "{\"batch.kubernetes.io/controller-uid\":\"x\",\"batch.kubernetes.io/job-name\":\"pi\","
      "\"controller-uid\":\"uid-1\",\"job-name\":\"pi\"}: must be 'uid-1'",
      "spec.template.metadata.labels: Invalid value: {\"batch.kubernetes.io/controller-uid\":\"x\","
      "\"batch.kubernetes.io/job-name\":\"pi\",\"controller-uid\":\"uid-1\",\"job-name\":\"pi\"}: "
      "`selector` does not match template `labels`", NULL}},
    {"tampered selector",
     "{\"spec\":{\"selector\":{\"matchLabels\":{\"batch.kubernetes.io/controller-uid\":\"wrong\"}}}}",
     NULL,
     {"spec.selector: Invalid value: {\"matchLabels\":{\"batch.kubernetes.io/controller-uid\":"
      "\"wrong\"}}: `selector` not auto-generated",
      "spec.template.metadata.labels: Invalid value: {" GEN_LABELS "}: `selector` does not "
      "match template `labels`", NULL}},
    /* ---- pod failure policy ---- */
    {"pod failure policy valid",
     PFP(RULE_EXIT("FailJob", "In", "[1,2,3]") ",{\"action\":\"Ignore\",\"onPodConditions\":"
         "[{\"type\":\"DisruptionTarget\"}]}," RULE_EXIT("Count", "NotIn", "[0]")), NULL, {NULL}},
    {"too many pod failure policy rules",
     PFP(RULE_EXIT("Ignore", "In", "[1]") "," RULE_EXIT("Ignore", "In", "[1]") ","
         RULE_EXIT("Ignore", "In", "[1]") "," RULE_EXIT("Ignore", "In", "[1]") ","
         RULE_EXIT("Ignore", "In", "[1]") "," RULE_EXIT("Ignore", "In", "[1]") ","
         RULE_EXIT("Ignore", "In", "[1]") "," RULE_EXIT("Ignore", "In", "[1]") ","
         RULE_EXIT("Ignore", "In", "[1]") "," RULE_EXIT("Ignore", "In", "[1]") ","
         RULE_EXIT("Ignore", "In", "[1]") "," RULE_EXIT("Ignore", "In", "[1]") ","
         RULE_EXIT("Ignore", "In", "[1]") "," RULE_EXIT("Ignore", "In", "[1]") ","
         RULE_EXIT("Ignore", "In", "[1]") "," RULE_EXIT("Ignore", "In", "[1]") ","
         RULE_EXIT("Ignore", "In", "[1]") "," RULE_EXIT("Ignore", "In", "[1]") ","
         RULE_EXIT("Ignore", "In", "[1]") "," RULE_EXIT("Ignore", "In", "[1]") ","
         RULE_EXIT("Ignore", "In", "[1]")), NULL,
     {"spec.podFailurePolicy.rules: Too many: 21: must have at most 20 items", NULL}},
    {"rule action missing", PFP("{\"onExitCodes\":{\"operator\":\"In\",\"values\":[1]}}"), NULL,
     {"spec.podFailurePolicy.rules[0].action: Required value: valid values: [\"Count\" "
      "\"FailIndex\" \"FailJob\" \"Ignore\"]", NULL}},
    {"rule action unknown", PFP(RULE_EXIT("Foo", "In", "[1]")), NULL,
     {"spec.podFailurePolicy.rules[0].action: Unsupported value: \"Foo\": supported values: "
      "\"Count\", \"FailIndex\", \"FailJob\", \"Ignore\"", NULL}},
    {"FailIndex without backoffLimitPerIndex", PFP(RULE_EXIT("FailIndex", "In", "[1]")), NULL,
     {"spec.podFailurePolicy.rules[0].action: Invalid value: \"FailIndex\": requires the "
      "backoffLimitPerIndex to be set", NULL}},
    {"FailIndex with backoffLimitPerIndex",
     "{\"spec\":{\"completionMode\":\"Indexed\",\"completions\":3,\"backoffLimitPerIndex\":1,"
     "\"podFailurePolicy\":{\"rules\":[" RULE_EXIT("FailIndex", "In", "[1]") "]}}}", NULL, {NULL}},
    {"rule with both requirements",
     PFP("{\"action\":\"Ignore\",\"onExitCodes\":{\"operator\":\"In\",\"values\":[1]},"
         "\"onPodConditions\":[{\"type\":\"DisruptionTarget\"}]}"), NULL,
     {"spec.podFailurePolicy.rules[0]: Invalid value: specifying both OnExitCodes and "
      "OnPodConditions is not supported", NULL}},
    {"rule with no requirement", PFP("{\"action\":\"Ignore\"}"), NULL,
     {"spec.podFailurePolicy.rules[0]: Invalid value: specifying one of OnExitCodes and "
      "OnPodConditions is required", NULL}},
    {"operator missing", PFP("{\"action\":\"Ignore\",\"onExitCodes\":{\"values\":[1]}}"), NULL,
     {"spec.podFailurePolicy.rules[0].onExitCodes.operator: Required value: valid values: "
      "[\"In\" \"NotIn\"]", NULL}},
    {"operator unknown", PFP(RULE_EXIT("Ignore", "Near", "[1]")), NULL,
     {"spec.podFailurePolicy.rules[0].onExitCodes.operator: Unsupported value: \"Near\": "
      "supported values: \"In\", \"NotIn\"", NULL}},
    {"containerName unknown",
     PFP("{\"action\":\"Ignore\",\"onExitCodes\":{\"containerName\":\"nope\",\"operator\":\"In\","
         "\"values\":[1]}}"), NULL,
     {"spec.podFailurePolicy.rules[0].onExitCodes.containerName: Invalid value: \"nope\": must "
      "be one of the container or initContainer names in the pod template", NULL}},
    {"containerName known",
     PFP("{\"action\":\"Ignore\",\"onExitCodes\":{\"containerName\":\"pi\",\"operator\":\"In\","
         "\"values\":[1]}}"), NULL, {NULL}},
    {"exit code values empty", PFP(RULE_EXIT("Ignore", "In", "[]")), NULL,
     {"spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []: at least one value "
      "is required", NULL}},
    {"exit code values unordered", PFP(RULE_EXIT("Ignore", "In", "[3,1]")), NULL,
     {"spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: [3,1]: must be ordered",
      NULL}},
    {"exit code values duplicate", PFP(RULE_EXIT("Ignore", "In", "[1,1]")), NULL,
     {"spec.podFailurePolicy.rules[0].onExitCodes.values[1]: Duplicate value: 1", NULL}},
    {"exit code 0 with In", PFP(RULE_EXIT("Ignore", "In", "[0]")), NULL,
     {"spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not be 0 for "
      "the In operator", NULL}},
    {"pod condition type invalid",
     PFP("{\"action\":\"Ignore\",\"onPodConditions\":[{\"type\":\"bad type\"}]}"), NULL,
     {"spec.podFailurePolicy.rules[0].onPodConditions[0].type: Invalid value: \"bad type\": "
      QNAME_MSG, NULL}},
    {"pod condition status unknown",
     PFP("{\"action\":\"Ignore\",\"onPodConditions\":[{\"type\":\"Ready\",\"status\":\"Maybe\"}]}"),
     NULL,
     {"spec.podFailurePolicy.rules[0].onPodConditions[0].status: Unsupported value: \"Maybe\": "
      "supported values: \"False\", \"True\", \"Unknown\"", NULL}},
    {"pod condition status False",
     PFP("{\"action\":\"Ignore\",\"onPodConditions\":[{\"type\":\"Ready\",\"status\":\"False\"}]}"),
     NULL, {NULL}},
    /* ---- success policy ---- */
    {"success policy valid", SP("5", "[{\"succeededIndexes\":\"0,2-4\",\"succeededCount\":2}]"), NULL,
     {NULL}},
    {"success policy without rules", SP("5", "[]"), NULL,
     {"spec.successPolicy.rules: Required value: at least one rules must be specified when the "
      "successPolicy is specified", NULL}},
    {"success policy empty rule", SP("5", "[{}]"), NULL,
     {"spec.successPolicy.rules[0]: Required value: at least one of succeededCount or "
      "succeededIndexes must be specified", NULL}},
    {"succeededIndexes too large", SP("5", "[{\"succeededIndexes\":\"7\"}]"), NULL,
     {"spec.successPolicy.rules[0].succeededIndexes: Invalid value: \"7\": error parsing "
      "succeededIndexes: too large index: \"7\"", NULL}},
    {"succeededIndexes decreasing", SP("5", "[{\"succeededIndexes\":\"3,2\"}]"), NULL,
     {"spec.successPolicy.rules[0].succeededIndexes: Invalid value: \"3,2\": error parsing "
      "succeededIndexes: non-increasing order, previous: 3, current: 2", NULL}},
    {"succeededIndexes not a number", SP("5", "[{\"succeededIndexes\":\"x\"}]"), NULL,
     {"spec.successPolicy.rules[0].succeededIndexes: Invalid value: \"x\": error parsing "
      "succeededIndexes: cannot convert string to integer for index: \"x\"", NULL}},
    {"succeededIndexes three parts", SP("5", "[{\"succeededIndexes\":\"1-2-3\"}]"), NULL,
     {"spec.successPolicy.rules[0].succeededIndexes: Invalid value: \"1-2-3\": error parsing "
      "succeededIndexes: the fragment \"1-2-3\" violates the requirement that an index interval "
      "can have at most two parts separated by '-'", NULL}},
    {"succeededCount negative", SP("5", "[{\"succeededCount\":-1}]"), NULL,
     {"spec.successPolicy.rules[0].succeededCount: Invalid value: -1: must be greater than or "
      "equal to 0", NULL}},
    {"succeededCount above completions", SP("5", "[{\"succeededCount\":6}]"), NULL,
     {"spec.successPolicy.rules[0].succeededCount: Invalid value: 6: must be less than or equal "
      "to 5 (the number of specified completions)", NULL}},
    {"succeededCount above indexes",
     SP("5", "[{\"succeededIndexes\":\"0-1\",\"succeededCount\":3}]"), NULL,
     {"spec.successPolicy.rules[0].succeededCount: Invalid value: 3: must be less than or equal "
      "to 2 (the number of indexes in the specified succeededIndexes field)", NULL}},
    /* ---- pod template ---- */
    {"no containers", "{\"spec\":{\"template\":{\"spec\":{\"containers\":[]}}}}", NULL,
     {"spec.template.spec.containers: Required value", NULL}},
    {"container name missing",
     "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"image\":\"perl\"}]}}}}", NULL,
     {"spec.template.spec.containers[0].name: Required value", NULL}},
    {"container name not a label",
     "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"Pi\",\"image\":\"perl\"}]}}}}",
     NULL, {"spec.template.spec.containers[0].name: Invalid value: \"Pi\": " LABEL_MSG, NULL}},
    {"container image missing",
     "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"pi\"}]}}}}", NULL,
     {"spec.template.spec.containers[0].image: Required value", NULL}},
    {"container image with a trailing space",
     "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"pi\",\"image\":\"perl \"}]}}}}",
     NULL,
     {"spec.template.spec.containers[0].image: Invalid value: \"perl \": must not have leading or "
      "trailing whitespace",
      NULL}},
    {"duplicate container names",
     "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"x\"},"
     "{\"name\":\"a\",\"image\":\"y\"}]}}}}", NULL,
     {"spec.template.spec.containers[1].name: Duplicate value: \"a\"", NULL}},
    {"two containers",
     "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"x\"},"
     "{\"name\":\"b\",\"image\":\"y\"}]}}}}", NULL, {NULL}},
    {"init container and sidecar",
     "{\"spec\":{\"template\":{\"spec\":{\"initContainers\":[{\"name\":\"i\",\"image\":\"x\"},"
     "{\"name\":\"s\",\"image\":\"x\",\"restartPolicy\":\"Always\",\"readinessProbe\":{}}],"
     "\"containers\":[{\"name\":\"a\",\"image\":\"x\"}]}}}}", NULL, {NULL}},
    {"init container: name taken, restartPolicy, probe",
     "{\"spec\":{\"template\":{\"spec\":{\"initContainers\":[{\"name\":\"a\",\"image\":\"x\","
     "\"restartPolicy\":\"Never\",\"livenessProbe\":{}}],"
     "\"containers\":[{\"name\":\"a\",\"image\":\"x\"}]}}}}", NULL,
     {"spec.template.spec.initContainers[0].name: Duplicate value: \"a\"",
      "spec.template.spec.initContainers[0].restartPolicy: Unsupported value: \"Never\": supported "
      "values: \"Always\"",
      "spec.template.spec.initContainers[0].livenessProbe: Forbidden: may not be set for init "
      "containers without restartPolicy=Always", NULL}},
    {"imagePullPolicy unknown", CONTAINER("\"imagePullPolicy\":\"Sometimes\""), NULL,
     {"spec.template.spec.containers[0].imagePullPolicy: Unsupported value: \"Sometimes\": "
      "supported values: \"Always\", \"IfNotPresent\", \"Never\"", NULL}},
    {"imagePullPolicy Never", CONTAINER("\"imagePullPolicy\":\"Never\""), NULL, {NULL}},
    {"terminationMessagePolicy unknown", CONTAINER("\"terminationMessagePolicy\":\"X\""), NULL,
     {"spec.template.spec.containers[0].terminationMessagePolicy: Unsupported value: \"X\": "
      "supported values: \"File\", \"FallbackToLogsOnError\"", NULL}},
    {"container port out of range",
     CONTAINER("\"ports\":[{\"containerPort\":70000,\"protocol\":\"ICMP\"}]"), NULL,
     {"spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be "
      "between 1 and 65535, inclusive",
      "spec.template.spec.containers[0].ports[0].protocol: Unsupported value: \"ICMP\": "
      "supported values: \"SCTP\", \"TCP\", \"UDP\"", NULL}},
    {"container port valid", CONTAINER("\"ports\":[{\"name\":\"http\",\"containerPort\":8080}]"),
     NULL, {NULL}},
    {"env name with =", CONTAINER("\"env\":[{\"name\":\"A=B\",\"value\":\"x\"}]"), NULL,
     {"spec.template.spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment "
      "variable name must consist only of printable ASCII characters other than '='", NULL}},
    {"env name relaxed", CONTAINER("\"env\":[{\"name\":\"1.a-b\",\"value\":\"x\"}]"), NULL, {NULL}},
    {"env resourceFieldRef valid",
     CONTAINER("\"env\":[{\"name\":\"M\",\"valueFrom\":{\"resourceFieldRef\":{\"resource\":"
               "\"limits.memory\",\"divisor\":\"1Mi\"}}}]"), NULL, {NULL}},
    {"env resourceFieldRef: resource unknown, cpu divisor",
     CONTAINER("\"env\":[{\"name\":\"A\",\"valueFrom\":{\"resourceFieldRef\":{\"resource\":\"limits.gpu\"}}},"
               "{\"name\":\"B\",\"valueFrom\":{\"resourceFieldRef\":{\"resource\":\"limits.cpu\","
               "\"divisor\":\"10m\"}}},{\"name\":\"C\",\"valueFrom\":{\"resourceFieldRef\":{}}}]"), NULL,
     {"spec.template.spec.containers[0].env[0].valueFrom.resourceFieldRef.resource: Unsupported "
      "value: \"limits.gpu\": supported values: \"limits.cpu\", \"limits.ephemeral-storage\", "
      "\"limits.memory\", \"requests.cpu\", \"requests.ephemeral-storage\", \"requests.memory\"",
      "spec.template.spec.containers[0].env[1].valueFrom.resourceFieldRef.divisor: Invalid value: "
      "\"limits.cpu\": only divisor's values 1m and 1 are supported with the cpu resource",
      "spec.template.spec.containers[0].env[2].valueFrom.resourceFieldRef.resource: Required value",
      NULL}},
    {"downwardAPI volume: containerName required, memory divisor",
     "{\"spec\":{\"template\":{\"spec\":{\"volumes\":[{\"name\":\"d\",\"downwardAPI\":{\"items\":["
     "{\"path\":\"a\",\"resourceFieldRef\":{\"resource\":\"limits.cpu\"}},"
     "{\"path\":\"b\",\"resourceFieldRef\":{\"containerName\":\"pi\",\"resource\":\"requests.memory\","
     "\"divisor\":\"3\"}}]}}]}}}}", NULL,
     {"spec.template.spec.volumes[0].downwardAPI.items[0].resourceFieldRef.containerName: Required "
      "value",
      "spec.template.spec.volumes[0].downwardAPI.items[1].resourceFieldRef.divisor: Invalid value: "
      "\"requests.memory\": only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, "
      "1Pi, 1Ei are supported with the memory resource", NULL}},
    {"volume mount without volume",
     CONTAINER("\"volumeMounts\":[{\"name\":\"data\",\"mountPath\":\"/data\"}]"), NULL,
     {"spec.template.spec.containers[0].volumeMounts[0].name: Not found: \"data\"", NULL}},
    {"volume mount with volume",
     "{\"spec\":{\"template\":{\"spec\":{\"volumes\":[{\"name\":\"data\"}],\"containers\":[{\"name\":"
     "\"pi\",\"image\":\"perl\",\"volumeMounts\":[{\"name\":\"data\",\"mountPath\":\"/data\"}]}]}}}}",
     NULL, {NULL}},
    {"requests above limits",
     CONTAINER("\"resources\":{\"limits\":{\"cpu\":\"1\"},\"requests\":{\"cpu\":\"2\"}}"), NULL,
     {"spec.template.spec.containers[0].resources.requests: Invalid value: \"2\": must be less "
      "than or equal to cpu limit of 1", NULL}},
    {"bad template label",
     "{\"metadata\":{\"labels\":{\"a\":\"b\"}},\"spec\":{\"template\":{\"metadata\":{\"labels\":"
     "{\"x\":\"bad value\"}}}}}", NULL,
     {"spec.template.labels: Invalid value: \"bad value\": " LABEL_VALUE_MSG, NULL}},
    {"dnsPolicy unknown", "{\"spec\":{\"template\":{\"spec\":{\"dnsPolicy\":\"X\"}}}}", NULL,
     {"spec.template.spec.dnsPolicy: Unsupported value: \"X\": supported values: "
      "\"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\"", NULL}},
    {"pod activeDeadlineSeconds 0",
     "{\"spec\":{\"template\":{\"spec\":{\"activeDeadlineSeconds\":0}}}}", NULL,
     {"spec.template.spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and "
      "2147483647, inclusive", NULL}},
};

/* The generateName case's name is random: compare its prefix only. */
static bool is_generated_name_error(const struct vcase *c, const char *got, size_t i)
{
    return strcmp(c->name, "bad generateName") == 0 && i == 1 &&
           strncmp(got, c->want[1], strlen(c->want[1])) == 0;
}

static void test_create_table(void **state)
{
    (void)state;
    size_t failures = 0;
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        const struct vcase *c = &cases[k];
        struct kj_job job;
        create_job(c->patch, c->uid, &job);
        struct kj_field_errors errs;
        kj_field_errors_init(&errs);
        size_t n = kj_job_validate_create(&job, &errs);
        assert_int_equal(n, errs.len);
        size_t want = 0;
        while (c->want[want] != NULL)
            want++;
        bool ok = want == errs.len;
        for (size_t i = 0; ok && i < want; i++) {
            char *s = kj_field_error_string(&errs.items[i]);
            ok = strcmp(s, c->want[i]) == 0 || is_generated_name_error(c, s, i);
            free(s);
        }
        if (!ok) {
            failures++;
            fprintf(stderr, "# case `%s`: want %zu errors, got %zu\n", c->name, want, errs.len);
            for (size_t i = 0; i < want; i++)
                fprintf(stderr, "#  want %s\n", c->want[i]);
            for (size_t i = 0; i < errs.len; i++) {
                char *s = kj_field_error_string(&errs.items[i]);
                fprintf(stderr, "#  got  %s\n", s);
                free(s);
            }
        }
        kj_field_errors_free(&errs);
        kj_job_clear(&job);
    }
    assert_int_equal(failures, 0);
}

/* A name of 64 bytes is a fine subdomain but too long for the job-name
 * label values the server generates: upstream refuses it that way. */
static void test_long_name_fails_on_labels(void **state)
{
    (void)state;
    char name[65];
    memset(name, 'a', 64);
    name[64] = '\0';
    char patch[128];
    snprintf(patch, sizeof(patch), "{\"metadata\":{\"name\":\"%s\"}}", name);
    struct kj_job job;
    create_job(patch, NULL, &job);
    struct kj_field_errors errs;
    kj_field_errors_init(&errs);
    kj_job_validate_create(&job, &errs);
    char want[160];
    snprintf(want, sizeof(want), "Invalid value: \"%s\": must be no more than 63 bytes", name);
    /* Job labels (copied from the template) and template labels, for both
     * job-name keys. */
    assert_int_equal(errs.len, 4);
    for (size_t i = 0; i < errs.len; i++) {
        char *body = kj_field_error_body(&errs.items[i]);
        assert_string_equal(body, want);
        free(body);
    }
    assert_string_equal(errs.items[0].field, "metadata.labels");
    assert_string_equal(errs.items[2].field, "spec.template.labels");
    char *msg = kj_field_errors_invalid_message(&errs, "Job", "batch", name);
    char expect[512];
    snprintf(expect, sizeof(expect),
             "Job.batch \"%s\" is invalid: [metadata.labels: %s, spec.template.labels: %s]", name,
             want, want);
    assert_string_equal(msg, expect);
    free(msg);
    kj_field_errors_free(&errs);
    kj_job_clear(&job);
}

static void test_name_too_long_for_subdomain(void **state)
{
    (void)state;
    char name[255];
    memset(name, 'a', 254);
    name[254] = '\0';
    struct kj_job job;
    decode_job(base_job_json, NULL, &job);
    free(job.metadata.name);
    job.metadata.name = strdup(name);
    /* Manual selector: keep the long name out of the generated labels. */
    job.spec.manual_selector = true;
    kj_job_prepare_create(&job, TEST_UID, T0);
    kj_labels_set(&job.spec.selector.match_labels, "a", "b");
    job.spec.has_selector = true;
    kj_labels_set(&job.spec.template_.metadata.labels, "a", "b");
    struct kj_field_errors errs;
    kj_field_errors_init(&errs);
    kj_job_validate_create(&job, &errs);
    assert_int_equal(errs.len, 1);
    char *body = kj_field_error_body(&errs.items[0]);
    char want[400];
    snprintf(want, sizeof(want), "Invalid value: \"%s\": must be no more than 253 bytes", name);
    assert_string_equal(body, want);
    free(body);
    kj_field_errors_free(&errs);
    kj_job_clear(&job);
}

static void test_success_policy_too_long(void **state)
{
    (void)state;
    /* 65537 bytes: "1" then 32768 times ",1". */
    size_t n = 1 + 2 * 32768;
    char *idx = malloc(n + 1);
    assert_non_null(idx);
    idx[0] = '1';
    for (size_t i = 1; i < n; i += 2) {
        idx[i] = ',';
        idx[i + 1] = '1';
    }
    idx[n] = '\0';
    struct kj_job job;
    create_job(SP("5", "[{\"succeededCount\":1}]"), NULL, &job);
    free(job.spec.success_policy.rules[0].succeeded_indexes);
    job.spec.success_policy.rules[0].succeeded_indexes = idx;
    struct kj_field_errors errs;
    kj_field_errors_init(&errs);
    kj_job_validate_create(&job, &errs);
    assert_int_equal(errs.len, 3);
    char *s = kj_field_error_string(&errs.items[0]);
    assert_string_equal(s, "spec.successPolicy.rules[0].succeededIndexes: Too long: may not be "
                           "more than 65536 bytes");
    free(s);
    assert_string_equal(errs.items[1].detail, "error parsing succeededIndexes: non-increasing "
                                              "order, previous: 1, current: 1");
    /* A failed parse counts 0 indexes, so succeededCount 1 is above it. */
    assert_string_equal(errs.items[2].field, "spec.successPolicy.rules[0].succeededCount");
    kj_field_errors_free(&errs);
    kj_job_clear(&job);
}

static void test_warnings_on_create(void **state)
{
    (void)state;
    struct kj_job job;
    create_job("{\"metadata\":{\"name\":\"pi.v2\"}}", NULL, &job);
    struct kj_strlist w = {0};
    assert_int_equal(kj_job_warnings_on_create(&job, &w), 1);
    assert_string_equal(w.items[0], "metadata.name: this is used in Pod names and hostnames, "
                                    "which can result in surprising behavior; a DNS label is "
                                    "recommended: [must not contain dots]");
    kj_strlist_clear(&w);
    kj_job_clear(&job);
    create_job(NULL, NULL, &job);
    assert_int_equal(kj_job_warnings_on_create(&job, &w), 0);
    kj_strlist_clear(&w);
    kj_job_clear(&job);
}

/* The whole 422 round: Status body for a Job with two errors. */
static void test_invalid_status_body(void **state)
{
    (void)state;
    struct kj_job job;
    create_job("{\"spec\":{\"parallelism\":-1,\"completions\":-1}}", NULL, &job);
    struct kj_field_errors errs;
    kj_field_errors_init(&errs);
    kj_job_validate_create(&job, &errs);
    cJSON *st = kj_field_errors_status(&errs, "Job", "batch", job.metadata.name);
    char *s = cJSON_PrintUnformatted(st);
    assert_string_equal(
        s, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
           "\"message\":\"Job.batch \\\"pi\\\" is invalid: [spec.parallelism: Invalid value: -1: "
           "must be greater than or equal to 0, spec.completions: Invalid value: -1: must be "
           "greater than or equal to 0]\",\"reason\":\"Invalid\",\"details\":{\"name\":\"pi\","
           "\"group\":\"batch\",\"kind\":\"Job\",\"causes\":[{\"reason\":\"FieldValueInvalid\","
           "\"message\":\"Invalid value: -1: must be greater than or equal to 0\",\"field\":"
           "\"spec.parallelism\"},{\"reason\":\"FieldValueInvalid\",\"message\":\"Invalid value: "
           "-1: must be greater than or equal to 0\",\"field\":\"spec.completions\"}]},"
           "\"code\":422}");
    free(s);
    cJSON_Delete(st);
    kj_field_errors_free(&errs);
    kj_job_clear(&job);
}

/* ObjectMeta rules for other kinds: cluster-scoped objects may not carry a
 * namespace; Services use DNS-1035 names. */
static void test_object_meta_other_kinds(void **state)
{
    (void)state;
    struct kj_object_meta m;
    memset(&m, 0, sizeof(m));
    m.name = "kjob-test";
    m.namespace_ = "default";
    struct kj_field_errors errs;
    kj_field_errors_init(&errs);
    assert_int_equal(kj_object_meta_validate(&m, false, kj_namespace_name_check, "metadata", &errs), 1);
    assert_errors(&errs, (const char *const[]){"metadata.namespace: Forbidden: not allowed on this type", NULL},
                  "cluster-scoped");
    kj_field_errors_free(&errs);
    m.name = "1queue";
    assert_int_equal(kj_object_meta_validate(&m, true, kj_service_name_check, "metadata", &errs), 1);
    assert_string_equal(errs.items[0].field, "metadata.name");
    kj_field_errors_free(&errs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_table),
        cmocka_unit_test(test_long_name_fails_on_labels),
        cmocka_unit_test(test_name_too_long_for_subdomain),
        cmocka_unit_test(test_success_policy_too_long),
        cmocka_unit_test(test_warnings_on_create),
        cmocka_unit_test(test_invalid_status_body),
        cmocka_unit_test(test_object_meta_other_kinds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
