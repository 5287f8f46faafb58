// eslint for the addons' JS (Odoo ES modules with OWL), close to OCA's template rules.
const globals = require("globals");
const js = require("@eslint/js");

module.exports = [
    {ignores: ["node_modules/**", ".venv/**", "**/build/**"]},
    js.configs.recommended,
    {
        files: ["**/*.js"],
        languageOptions: {
            ecmaVersion: 2022,
            sourceType: "module",
            globals: {...globals.browser, odoo: "readonly", owl: "readonly", luxon: "readonly"},
        },
        rules: {
            "no-unused-vars": ["error", {args: "none"}],
            "no-console": "error",
            "no-debugger": "error",
            "no-var": "error",
            "prefer-const": "error",
            eqeqeq: ["error", "smart"],
            "no-eval": "error",
            "no-implied-eval": "error",
        },
    },
    {
        files: ["eslint.config.cjs"],
        languageOptions: {sourceType: "commonjs", globals: globals.node},
    },
];
