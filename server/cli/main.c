/*
 * fitcheck - the offline preflight command (see cli.h and the README).
 *
 *   fitcheck check MODEL [--x [NAME=]x.npy] [--y [NAME=]y.npy] [--request req.json] ...
 *
 * Exit status: 0 below the --fail-on threshold, 1 at or above it, 2 on bad
 * input (a flag, a file, a request the core or the server refuses), 3 when
 * the server could not be reached or failed.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cli.h"
#include "fitcheck/preflight.h"

enum { EXIT_BELOW = 0, EXIT_REACHED = 1, EXIT_BAD_INPUT = 2, EXIT_SERVER = 3 };

typedef enum fail_on { FAIL_ON_ERROR = 0, FAIL_ON_WARNING, FAIL_ON_NEVER } fail_on;

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: fitcheck check [MODEL] [OPTIONS]\n"
            "Checks what Keras model.fit (or TF.js fit) would do with a model and data, before\n"
            "training: from the files alone, with no framework installed and no server.\n"
            "\n"
            "  MODEL                  a .keras file, a model.to_json() file, or a TF.js model.json\n"
            "  --x [NAME=]PATH        x as a .npy file (NAME: the input, for several inputs)\n"
            "  --y [NAME=]PATH        y as a .npy file (NAME: the output)\n"
            "  --validation-x [NAME=]PATH, --validation-y [NAME=]PATH   validation_data\n"
            "  --request PATH         a preflight request (JSON, as POST /v1/preflight takes) to\n"
            "                         start from; the flags below override it\n"
            "  --framework F          keras3, tf.keras2 or tfjs (else detected from the model)\n"
            "  --framework-version V  the release to judge for (e.g. 2.15.0, 3.6.0, 4.22.0)\n"
            "  --loss NAME            compile(loss=...)\n"
            "  --batch-size N, --epochs N, --validation-split F   fit(...)\n"
            "  --project NAME, --run NAME   labels kept with the report (with --server)\n"
            "  --fail-on LEVEL        error (default), warning or never: exit 1 at this level\n"
            "  --format FORMAT        text (default: model.summary(), then the findings), json\n"
            "                         (the report), or github (workflow annotations)\n"
            "  --server URL           post the request to a fitcheckd and store the report there\n"
            "                         (arrays go as their headers and statistics, never as data)\n"
            "  --key KEY              the team's API key for --server [FITCHECK_KEY]\n"
            "  --version, --help\n"
            "\n"
            "Exit status: 0 below --fail-on, 1 at or above it, 2 bad input, 3 server unreachable\n"
            "or failing.\n");
}

/* "NAME=PATH" or "PATH": a name is what comes before '=' when it holds no '/' or '.' (Keras names do not). */
static int add_array(cli_inputs *in, cli_group group, char *arg)
{
    cli_array *a;
    char *eq = strchr(arg, '=');

    if (in->n_arrays == CLI_MAX_ARRAYS) {
        fprintf(stderr, "fitcheck: at most %d array files\n", CLI_MAX_ARRAYS);
        return -1;
    }
    a = &in->arrays[in->n_arrays++];
    a->group = group;
    a->name = NULL;
    a->path = arg;
    if (eq != NULL && eq != arg && strcspn(arg, "/.") > (size_t)(eq - arg)) {
        *eq = '\0';
        a->name = arg;
        a->path = eq + 1;
    }
    if (a->path[0] == '\0') {
        fprintf(stderr, "fitcheck: an array flag needs a file: [NAME=]PATH\n");
        return -1;
    }
    return 0;
}

/* 1 when the verdict is at or above the threshold. */
static int reached(const char *verdict, fail_on level)
{
    if (verdict == NULL || level == FAIL_ON_NEVER)
        return 0;
    if (strcmp(verdict, "fail") == 0)
        return 1;
    return level == FAIL_ON_WARNING && strcmp(verdict, "warn") == 0;
}

static int check(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"x", required_argument, NULL, 'x'},
        {"y", required_argument, NULL, 'y'},
        {"validation-x", required_argument, NULL, 'X'},
        {"validation-y", required_argument, NULL, 'Y'},
        {"request", required_argument, NULL, 'r'},
        {"framework", required_argument, NULL, 'f'},
        {"framework-version", required_argument, NULL, 'v'},
        {"loss", required_argument, NULL, 'l'},
        {"batch-size", required_argument, NULL, 'b'},
        {"epochs", required_argument, NULL, 'e'},
        {"validation-split", required_argument, NULL, 's'},
        {"project", required_argument, NULL, 'p'},
        {"run", required_argument, NULL, 'R'},
        {"fail-on", required_argument, NULL, 'F'},
        {"format", required_argument, NULL, 'o'},
        {"server", required_argument, NULL, 'S'},
        {"key", required_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    cli_inputs in;
    cli_format format = CLI_TEXT;
    fail_on level = FAIL_ON_ERROR;
    const char *server = NULL, *key = getenv("FITCHECK_KEY");
    char msg[1024], url[2200];
    json_t *req, *report = NULL;
    int c, status;

    memset(&in, 0, sizeof(in));
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'x':
        case 'y':
        case 'X':
        case 'Y':
            if (add_array(&in, c == 'x' ? CLI_X : c == 'y' ? CLI_Y : c == 'X' ? CLI_VALIDATION_X : CLI_VALIDATION_Y,
                          optarg) != 0)
                return EXIT_BAD_INPUT;
            break;
        case 'r':
            in.request_path = optarg;
            break;
        case 'f':
            in.framework = optarg;
            break;
        case 'v':
            in.framework_version = optarg;
            break;
        case 'l':
            in.loss = optarg;
            break;
        case 'b':
            in.batch_size = optarg;
            break;
        case 'e':
            in.epochs = optarg;
            break;
        case 's':
            in.validation_split = optarg;
            break;
        case 'p':
            in.project = optarg;
            break;
        case 'R':
            in.run = optarg;
            break;
        case 'F':
            if (strcmp(optarg, "error") == 0)
                level = FAIL_ON_ERROR;
            else if (strcmp(optarg, "warning") == 0)
                level = FAIL_ON_WARNING;
            else if (strcmp(optarg, "never") == 0)
                level = FAIL_ON_NEVER;
            else {
                fprintf(stderr, "fitcheck: --fail-on must be error, warning or never, got '%s'\n", optarg);
                return EXIT_BAD_INPUT;
            }
            break;
        case 'o':
            if (strcmp(optarg, "text") == 0)
                format = CLI_TEXT;
            else if (strcmp(optarg, "json") == 0)
                format = CLI_JSON;
            else if (strcmp(optarg, "github") == 0)
                format = CLI_GITHUB;
            else {
                fprintf(stderr, "fitcheck: --format must be text, json or github, got '%s'\n", optarg);
                return EXIT_BAD_INPUT;
            }
            break;
        case 'S':
            server = optarg;
            break;
        case 'k':
            key = optarg;
            break;
        case 'h':
            usage(stdout);
            return EXIT_BELOW;
        default:
            usage(stderr);
            return EXIT_BAD_INPUT;
        }
    }
    if (optind < argc)
        in.model_path = argv[optind++];
    if (optind < argc) {
        fprintf(stderr, "fitcheck: one model only; unexpected '%s'\n", argv[optind]);
        return EXIT_BAD_INPUT;
    }
    if (in.model_path == NULL && in.request_path == NULL) {
        fprintf(stderr, "fitcheck: give a model file (or --request with a model in it); see fitcheck --help\n");
        return EXIT_BAD_INPUT;
    }
    req = cli_build_request(&in, msg, sizeof(msg));
    if (req == NULL) {
        fprintf(stderr, "fitcheck: %s\n", msg);
        return EXIT_BAD_INPUT;
    }
    url[0] = '\0';
    if (server != NULL) {
        cli_remote_status rs;

        curl_global_init(CURL_GLOBAL_DEFAULT);
        rs = cli_remote_preflight(server, key, req, &report, msg, sizeof(msg));
        curl_global_cleanup();
        if (rs != CLI_REMOTE_OK) {
            fprintf(stderr, "fitcheck: %s\n", msg);
            json_decref(req);
            return rs == CLI_REMOTE_REFUSED ? EXIT_BAD_INPUT : EXIT_SERVER;
        }
        if (json_string_value(json_object_get(report, "id")) != NULL) {
            size_t n = strlen(server);

            while (n > 0 && server[n - 1] == '/')
                n--;
            snprintf(url, sizeof(url), "%.*s/#/reports/%s", (int)n, server,
                     json_string_value(json_object_get(report, "id")));
        }
    } else {
        fc_error err;

        fc_error_init(&err);
        if (fc_preflight_run(req, &report, &err) != FC_OK) {
            if (err.code == FC_ERR_NOMEM || err.code == FC_ERR_INTERNAL) {
                fprintf(stderr, "fitcheck: %s\n", err.text);
                json_decref(req);
                return EXIT_SERVER;
            }
            fprintf(stderr, "fitcheck: the request is not one fitcheck can check: %s%s%s%s\n", err.text,
                    err.path[0] ? " (at " : "", err.path, err.path[0] ? ")" : "");
            if (err.path[0] && strncmp(err.path, "/model", 6) == 0 && in.model_path != NULL)
                fprintf(stderr, "fitcheck: (/model is the model file %s)\n", in.model_path);
            json_decref(req);
            return EXIT_BAD_INPUT;
        }
    }
    cli_render(stdout, report, format, in.model_path, url[0] ? url : NULL);
    fflush(stdout);
    status = reached(json_string_value(json_object_get(report, "verdict")), level) ? EXIT_REACHED : EXIT_BELOW;
    json_decref(report);
    json_decref(req);
    return status;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "check") == 0)
        return check(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("fitcheck %s\n", FITCHECK_VERSION);
        return EXIT_BELOW;
    }
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0)) {
        usage(stdout);
        return EXIT_BELOW;
    }
    usage(stderr);
    return EXIT_BAD_INPUT;
}
