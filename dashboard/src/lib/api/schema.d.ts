// Generated from the API's OpenAPI document by `npm run dashboard:api-types`; do not edit.
export interface paths {
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness check */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This OpenAPI document */
        get: operations["getOpenApiDocument"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List projects */
        get: operations["listProjects"];
        put?: never;
        /** Create a project (starts init-project) */
        post: operations["createProject"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a project */
        get: operations["getProject"];
        put?: never;
        post?: never;
        /** Delete a project (starts delete-project) */
        delete: operations["deleteProject"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{name}/sources": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Get a presigned upload for a source archive */
        post: operations["createSourceUpload"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{name}/deployments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List a project's deployments, newest first */
        get: operations["listDeployments"];
        put?: never;
        /** Build and deploy an uploaded source (starts build-and-deploy) */
        post: operations["createDeployment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{name}/deployments/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a deployment */
        get: operations["getDeployment"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{name}/deployments/{id}/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A deployment's build log from a cursor on */
        get: operations["getDeploymentLogs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{name}/deployments/{id}/execution": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A deployment's pipeline execution, state by state: a view (status, times, summarised errors, allow-listed results), never the raw input, output or history, for every role */
        get: operations["getDeploymentExecution"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{name}/deployments/{id}/logs/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Follow a deployment's build log live (server-sent events) until the deployment ends */
        get: operations["streamDeploymentLogs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{name}/deployments/{id}/execution/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Follow a deployment's pipeline execution live, state by state (server-sent events), until it stops */
        get: operations["streamDeploymentExecution"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{name}/deployments/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel a QUEUED or BUILDING deployment: stops its execution and build; the live version stays live (409 otherwise) */
        post: operations["cancelDeployment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{name}/rollback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Make an earlier deployment live again (starts rollback: no rebuild, no CDN invalidation) */
        post: operations["rollbackProject"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{name}/settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A project's build settings (build and install command, root directory, Node version) */
        get: operations["getProjectSettings"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change build settings (null resets a field to the default); the next deployment uses them */
        patch: operations["updateProjectSettings"];
        trace?: never;
    };
    "/projects/{name}/env": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A project's environment variables: plain values shown, secrets by name only (secret: true) */
        get: operations["listProjectEnv"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{name}/env/{key}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Set an environment variable or secret (encrypted at rest, never returned); target build, runtime or both (default); the next deployment uses it */
        put: operations["setProjectEnv"];
        post?: never;
        /** Remove an environment variable or secret; the next deployment goes without it */
        delete: operations["unsetProjectEnv"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{name}/domains": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A project's custom domains, each PENDING (with the TXT record that proves it) or VERIFIED, with its HTTPS certificate's state */
        get: operations["listProjectDomains"];
        put?: never;
        /** Add a custom domain, PENDING until the TXT record in the answer is published and verified; 409 if another project holds it */
        post: operations["addProjectDomain"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{name}/domains/{domain}/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Look up the domain's TXT record now: VERIFIED when it holds the token (the edge serves the domain from the next release), else still PENDING with what is missing */
        post: operations["verifyProjectDomain"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{name}/domains/{domain}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove a custom domain; the edge stops serving it at the next release */
        delete: operations["removeProjectDomain"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/executions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List pipeline executions, newest first, optionally of one status and one workflow; `nextToken` (in the answer while more follow) gives the next page for the same filters (admin) */
        get: operations["listExecutions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/executions/{executionName}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Any pipeline execution by name, state by state: a view (status, times, summarised errors, allow-listed results) and its state machine's graph, never the raw history (admin) */
        get: operations["getExecution"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The audit log of one month (UTC, default the current one), newest first: every mutating call that succeeded; `nextToken` (in the answer while the month has more) gives the next page (admin) */
        get: operations["listAuditEntries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/executions/{execution}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Retry a FAILED deployment by its build-and-deploy execution: a new execution of the same source with a fresh deployment id and ticket (admin) */
        post: operations["retryExecution"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/template-rollout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Roll the current per-project template out to every project stack still behind it, a few at a time; the execution’s output lists the upgraded, skipped and failed projects (admin) */
        post: operations["startTemplateRollout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/subscriptions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List subscriptions and their limits: the stored ones and the built-in ones no item overrides */
        get: operations["listSubscriptions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/subscriptions/{subscription}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Create or replace a subscription: every limit, each a whole number within its bounds */
        put: operations["putSubscription"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/users/{login}/subscription": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Set a user's subscription (404 naming body.subscription when it does not exist) */
        put: operations["assignSubscription"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/me/limits": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's subscription, its limits and current usage */
        get: operations["getMyLimits"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/github/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Start signing in with GitHub: redirects to GitHub with `state` and a PKCE challenge, kept in a signed, HttpOnly flow cookie */
        get: operations["beginGithubSignIn"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/github/callback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Where GitHub sends the browser back: checks `state`, redeems the code with the PKCE verifier, sets the signed, HttpOnly session cookie */
        get: operations["completeGithubSignIn"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/methods": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** How a browser can sign in here: always with a token; with GitHub when the platform has a GitHub OAuth app */
        get: operations["listSignInMethods"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign a browser in with an API token or the admin token: sets the signed, HttpOnly session cookie (the token is not kept; a session opened with the admin token ends when that token is rotated) */
        post: operations["signInWithToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign out: clears the session cookie */
        post: operations["signOut"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who the caller is: login, roles, the permissions they grant, and how the caller signed in */
        get: operations["getMe"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/me/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's API tokens (records only) */
        get: operations["listMyTokens"];
        put?: never;
        /** Issue an API token for the caller (e.g. for the CLI after signing in with GitHub); the token is in this response only */
        post: operations["issueMyToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/me/tokens/{token}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke one of the caller's API tokens */
        delete: operations["revokeMyToken"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every user with their roles and subscription */
        get: operations["listUsers"];
        put?: never;
        /** Create a user (roles default to `user`; any other role also needs roles:write) */
        post: operations["createUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/users/{login}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One user and their API token records */
        get: operations["getUser"];
        put?: never;
        post?: never;
        /** Delete a user and revoke their tokens (409 while they own projects) */
        delete: operations["deleteUser"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/users/{login}/roles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Replace a user's roles */
        put: operations["setUserRoles"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/users/{login}/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Issue an API token for a user; the token is in this response only (only its hash is stored) */
        post: operations["issueUserToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/users/{login}/tokens/{token}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke one of a user's API tokens */
        delete: operations["revokeUserToken"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webhooks/github": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A GitHub App webhook delivery: no bearer token, signed instead (X-Hub-Signature-256 over the raw body, 401 if missing or wrong); needs X-GitHub-Event and X-GitHub-Delivery (a UUID; a repeated one is ignored); body up to 1 MB */
        post: operations["receiveGithubWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{name}/repository": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Link a project to a GitHub repository (403 unless an App installation owned by the caller's login grants it); its pushes then deploy it */
        put: operations["linkProjectRepository"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/projects/{name}/deployments/{id}/approve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Approve a fork's preview built without secrets: deploys the same commit again with the project's secrets (once; 409 otherwise) */
        post: operations["approveDeployment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/github/repositories": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Repositories the caller may link: those granted by GitHub App installations their login owns */
        get: operations["listLinkableRepositories"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Error: {
            error: {
                /** @enum {string} */
                code: "BadRequest" | "Unauthorized" | "Forbidden" | "NotFound" | "Conflict" | "PayloadTooLarge" | "LimitExceeded" | "Internal";
                message: string;
                field?: string;
            };
        };
    };
    responses: {
        /** @description Bad input: the error names the field (`body.x`, `query.x`, `path.x`). */
        Error400: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Missing or invalid bearer token. */
        Error401: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The caller lacks the permission. */
        Error403: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description No such resource or route. */
        Error404: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Conflicts with the current state. */
        Error409: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The body exceeds the size limit. */
        Error413: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description A limit was reached: the error names it and its value. */
        Error429: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Internal error. */
        Error500: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        ok: true;
                    };
                };
            };
            500: components["responses"]["Error500"];
        };
    };
    getOpenApiDocument: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        openapi: string;
                        info: {
                            title: string;
                            version: string;
                        };
                        paths: {
                            [key: string]: unknown;
                        };
                    };
                };
            };
            500: components["responses"]["Error500"];
        };
    };
    listProjects: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        projects: {
                            name: string;
                            owner: string;
                            status: string;
                            createdAt: string;
                            liveDeploymentId?: string;
                            liveAt?: string;
                            liveBasePath?: string;
                            executionName?: string;
                            failedState?: string;
                            error?: string;
                            cause?: string;
                            repository?: string;
                            productionBranch?: string;
                            url?: string;
                            live?: {
                                id: string;
                                /** @enum {string} */
                                source: "upload" | "github";
                                commit?: string;
                                repository?: string;
                                createdBy: string;
                            };
                        }[];
                    };
                };
            };
            401: components["responses"]["Error401"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    createProject: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    repository?: string;
                    productionBranch?: string;
                };
            };
        };
        responses: {
            /** @description Success. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        project: {
                            name: string;
                            owner: string;
                            status: string;
                            createdAt: string;
                            liveDeploymentId?: string;
                            liveAt?: string;
                            liveBasePath?: string;
                            executionName?: string;
                            failedState?: string;
                            error?: string;
                            cause?: string;
                            repository?: string;
                            productionBranch?: string;
                            url?: string;
                        };
                        executionArn: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            409: components["responses"]["Error409"];
            413: components["responses"]["Error413"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
        };
    };
    getProject: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The project name (a DNS label). */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        project: {
                            name: string;
                            owner: string;
                            status: string;
                            createdAt: string;
                            liveDeploymentId?: string;
                            liveAt?: string;
                            liveBasePath?: string;
                            executionName?: string;
                            failedState?: string;
                            error?: string;
                            cause?: string;
                            repository?: string;
                            productionBranch?: string;
                            url?: string;
                        };
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    deleteProject: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The project name (a DNS label). */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        project: string;
                        /** @constant */
                        status: "DELETING";
                        executionArn: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            409: components["responses"]["Error409"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    createSourceUpload: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The project name (a DNS label). */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    bytes: number;
                };
            };
        };
        responses: {
            /** @description Success. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        uploadUrl: string;
                        /** @constant */
                        method: "PUT";
                        headers: {
                            [key: string]: string;
                        };
                        source: {
                            bucket: string;
                            key: string;
                        };
                        expiresIn: number;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    listDeployments: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The project name (a DNS label). */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        deployments: {
                            id: string;
                            project: string;
                            status: string;
                            createdAt: string;
                            createdBy: string;
                            source: {
                                bucket: string;
                                key: string;
                            };
                            commit?: string;
                            executionArn?: string;
                            executionName?: string;
                            failedState?: string;
                            error?: string;
                            cause?: string;
                            retryOf?: string;
                            retriedBy?: string;
                            cancelledAt?: string;
                            cancelledBy?: string;
                            github?: {
                                repository: string;
                                commit: string;
                                installationId: number;
                            };
                            preview?: string;
                            withholdSecrets?: boolean;
                            /** @constant */
                            secrets?: "withheld";
                            approvalOf?: string;
                            approvedBy?: string;
                            approvedAs?: string;
                            rootDirectory?: string;
                            releasedAt?: string;
                            /** @enum {string} */
                            routeCache?: "written" | "pruned";
                            current?: boolean;
                            url?: string;
                        }[];
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    createDeployment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The project name (a DNS label). */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    source: {
                        key: string;
                    };
                    commit?: string;
                    preview?: string;
                    rootDirectory?: string;
                };
            };
        };
        responses: {
            /** @description Success. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        deployment: {
                            id: string;
                            project: string;
                            status: string;
                            createdAt: string;
                            createdBy: string;
                            source: {
                                bucket: string;
                                key: string;
                            };
                            commit?: string;
                            executionArn?: string;
                            executionName?: string;
                            failedState?: string;
                            error?: string;
                            cause?: string;
                            retryOf?: string;
                            retriedBy?: string;
                            cancelledAt?: string;
                            cancelledBy?: string;
                            github?: {
                                repository: string;
                                commit: string;
                                installationId: number;
                            };
                            preview?: string;
                            withholdSecrets?: boolean;
                            /** @constant */
                            secrets?: "withheld";
                            approvalOf?: string;
                            approvedBy?: string;
                            approvedAs?: string;
                            rootDirectory?: string;
                            releasedAt?: string;
                            /** @enum {string} */
                            routeCache?: "written" | "pruned";
                            current?: boolean;
                            url?: string;
                        };
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            409: components["responses"]["Error409"];
            413: components["responses"]["Error413"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
        };
    };
    getDeployment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The project name (a DNS label). */
                name: string;
                /** @description The deployment id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        deployment: {
                            id: string;
                            project: string;
                            status: string;
                            createdAt: string;
                            createdBy: string;
                            source: {
                                bucket: string;
                                key: string;
                            };
                            commit?: string;
                            executionArn?: string;
                            executionName?: string;
                            failedState?: string;
                            error?: string;
                            cause?: string;
                            retryOf?: string;
                            retriedBy?: string;
                            cancelledAt?: string;
                            cancelledBy?: string;
                            github?: {
                                repository: string;
                                commit: string;
                                installationId: number;
                            };
                            preview?: string;
                            withholdSecrets?: boolean;
                            /** @constant */
                            secrets?: "withheld";
                            approvalOf?: string;
                            approvedBy?: string;
                            approvedAs?: string;
                            rootDirectory?: string;
                            releasedAt?: string;
                            /** @enum {string} */
                            routeCache?: "written" | "pruned";
                            current?: boolean;
                            url?: string;
                        };
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    getDeploymentLogs: {
        parameters: {
            query?: {
                cursor?: string;
            };
            header?: never;
            path: {
                /** @description The project name (a DNS label). */
                name: string;
                /** @description The deployment id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        text: string;
                        cursor: string | null;
                        done: boolean;
                        status: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    getDeploymentExecution: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The project name (a DNS label). */
                name: string;
                /** @description The deployment id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        execution: {
                            name?: string;
                            stateMachine?: string;
                            /** @enum {string} */
                            status: "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";
                            startDate?: string;
                            stopDate?: string;
                            durationMs?: number;
                            /** @description How often the execution was redriven after the platform stopped while it ran. */
                            redriveCount?: number;
                            input?: {
                                project?: string;
                                deploymentId?: string;
                                preview?: string;
                                sourceKey?: string;
                                github?: {
                                    repository?: string;
                                    commit?: string;
                                };
                                /** @constant */
                                withholdSecrets?: true;
                            };
                            output?: {
                                project?: string;
                                deploymentId?: string;
                                preview?: string;
                                sourceKey?: string;
                                github?: {
                                    repository?: string;
                                    commit?: string;
                                };
                                /** @constant */
                                withholdSecrets?: true;
                            };
                            error?: string;
                            cause?: string;
                            states: {
                                name: string;
                                /** @description The ASL state type: Task, Pass, Choice, Wait, Succeed, Fail. */
                                type: string;
                                /**
                                 * @description entered: running; retried: succeeded after `retries` failed attempts; caught: failed and the workflow went on to record the failure; failed: its failure ended the execution; interrupted: the platform stopped while it ran and the execution was redriven.
                                 * @enum {string}
                                 */
                                status: "entered" | "succeeded" | "failed" | "retried" | "caught" | "interrupted";
                                start: string;
                                end?: string;
                                durationMs?: number;
                                retries?: number;
                                error?: string;
                                /** @description Summarised: a Batch job as its status reason and exit code, a Lambda error as type and message; credential-looking text redacted; at most 500 characters. */
                                cause?: string;
                                /** @description Allow-listed result fields of the state: Fetch source sourceKey; Build jobId; Validate output digest, files; Release live, previous, preview; Check target deploymentId. Other states have none. */
                                summary?: {
                                    [key: string]: string | number;
                                };
                            }[];
                        };
                        stateMachine?: {
                            name: string;
                            startAt: string;
                            states: {
                                name: string;
                                type: string;
                                /** @description Where the state may go: Next, Choice rules and Default, Catch targets. */
                                next: string[];
                                /** @description The transitions taken on a caught failure. */
                                onError?: string[];
                                /** @constant */
                                end?: true;
                            }[];
                        };
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    streamDeploymentLogs: {
        parameters: {
            query?: never;
            header?: {
                /** @description Resume after this log event id (a chunk key of this deployment). */
                "Last-Event-ID"?: string;
            };
            path: {
                /** @description The project name (a DNS label). */
                name: string;
                /** @description The deployment id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    streamDeploymentExecution: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The project name (a DNS label). */
                name: string;
                /** @description The deployment id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    cancelDeployment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The project name (a DNS label). */
                name: string;
                /** @description The deployment id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        deployment: {
                            id: string;
                            project: string;
                            status: string;
                            createdAt: string;
                            createdBy: string;
                            source: {
                                bucket: string;
                                key: string;
                            };
                            commit?: string;
                            executionArn?: string;
                            executionName?: string;
                            failedState?: string;
                            error?: string;
                            cause?: string;
                            retryOf?: string;
                            retriedBy?: string;
                            cancelledAt?: string;
                            cancelledBy?: string;
                            github?: {
                                repository: string;
                                commit: string;
                                installationId: number;
                            };
                            preview?: string;
                            withholdSecrets?: boolean;
                            /** @constant */
                            secrets?: "withheld";
                            approvalOf?: string;
                            approvedBy?: string;
                            approvedAs?: string;
                            rootDirectory?: string;
                            releasedAt?: string;
                            /** @enum {string} */
                            routeCache?: "written" | "pruned";
                            current?: boolean;
                            url?: string;
                        };
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            409: components["responses"]["Error409"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    rollbackProject: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The project name (a DNS label). */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    deploymentId: string;
                    promote?: boolean;
                };
            };
        };
        responses: {
            /** @description Success. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        rollback: {
                            project: string;
                            deploymentId: string;
                            executionArn: string;
                            executionName: string;
                        };
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            409: components["responses"]["Error409"];
            413: components["responses"]["Error413"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
        };
    };
    getProjectSettings: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The project name (a DNS label). */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        project: string;
                        settings: {
                            buildCommand?: string;
                            installCommand?: string;
                            rootDirectory?: string;
                            /** @enum {string} */
                            nodeVersion?: "20" | "22";
                        };
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    updateProjectSettings: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The project name (a DNS label). */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    buildCommand?: string | null;
                    installCommand?: string | null;
                    rootDirectory?: string | null;
                    nodeVersion?: ("20" | "22") | null;
                };
            };
        };
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        project: string;
                        settings: {
                            buildCommand?: string;
                            installCommand?: string;
                            rootDirectory?: string;
                            /** @enum {string} */
                            nodeVersion?: "20" | "22";
                        };
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            409: components["responses"]["Error409"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    listProjectEnv: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The project name (a DNS label). */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        project: string;
                        variables: {
                            key: string;
                            /** @enum {string} */
                            target: "build" | "runtime" | "both";
                            secret: boolean;
                            value?: string;
                            updatedAt: string;
                            updatedBy: string;
                        }[];
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    setProjectEnv: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The project name (a DNS label). */
                name: string;
                /** @description An environment variable name (AWS_*, SLIPWAY_*, LAMBDA_*, _*, NODE_OPTIONS and a few more are reserved). */
                key: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    value: string;
                    secret?: boolean;
                    /** @enum {string} */
                    target?: "build" | "runtime" | "both";
                };
            };
        };
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        project: string;
                        variable: {
                            key: string;
                            /** @enum {string} */
                            target: "build" | "runtime" | "both";
                            secret: boolean;
                            value?: string;
                            updatedAt: string;
                            updatedBy: string;
                        };
                        created: boolean;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            409: components["responses"]["Error409"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    unsetProjectEnv: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The project name (a DNS label). */
                name: string;
                /** @description An environment variable name (AWS_*, SLIPWAY_*, LAMBDA_*, _*, NODE_OPTIONS and a few more are reserved). */
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        project: string;
                        deleted: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            409: components["responses"]["Error409"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    listProjectDomains: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The project name (a DNS label). */
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        project: string;
                        domains: {
                            domain: string;
                            project: string;
                            /** @enum {string} */
                            status: "PENDING" | "VERIFIED";
                            verification: {
                                /** @constant */
                                type: "TXT";
                                name: string;
                                value: string;
                            };
                            createdAt: string;
                            createdBy: string;
                            verifiedAt?: string;
                            /**
                             * @description The domain's HTTPS certificate. On AWS CloudFront's state of its managed certificate (pending-validation until the domain's CNAME points at the platform's custom-domain target and CloudFront validated it, then issued); `none`: no certificate, because the domain is PENDING, or on AWS the next release has not created it yet, or the platform needs none (locally the edge serves plain HTTP); `unknown`: the state could not be read just now.
                             * @enum {string}
                             */
                            certificate: "none" | "pending-validation" | "issued" | "inactive" | "expired" | "validation-timed-out" | "revoked" | "failed" | "unknown";
                        }[];
                        /** @description The host a VERIFIED domain's CNAME record points at, so CloudFront can validate its certificate and serve it (on AWS the custom-domain connection group's routing endpoint, the stack output CustomDomainTarget); absent locally. */
                        target?: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    addProjectDomain: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The project name (a DNS label). */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    domain: string;
                };
            };
        };
        responses: {
            /** @description Success. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        project: string;
                        domain: {
                            domain: string;
                            project: string;
                            /** @enum {string} */
                            status: "PENDING" | "VERIFIED";
                            verification: {
                                /** @constant */
                                type: "TXT";
                                name: string;
                                value: string;
                            };
                            createdAt: string;
                            createdBy: string;
                            verifiedAt?: string;
                            /**
                             * @description The domain's HTTPS certificate. On AWS CloudFront's state of its managed certificate (pending-validation until the domain's CNAME points at the platform's custom-domain target and CloudFront validated it, then issued); `none`: no certificate, because the domain is PENDING, or on AWS the next release has not created it yet, or the platform needs none (locally the edge serves plain HTTP); `unknown`: the state could not be read just now.
                             * @enum {string}
                             */
                            certificate: "none" | "pending-validation" | "issued" | "inactive" | "expired" | "validation-timed-out" | "revoked" | "failed" | "unknown";
                        };
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            409: components["responses"]["Error409"];
            413: components["responses"]["Error413"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
        };
    };
    verifyProjectDomain: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The project name (a DNS label). */
                name: string;
                /** @description A custom domain (lowercase host name). */
                domain: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        project: string;
                        domain: {
                            domain: string;
                            project: string;
                            /** @enum {string} */
                            status: "PENDING" | "VERIFIED";
                            verification: {
                                /** @constant */
                                type: "TXT";
                                name: string;
                                value: string;
                            };
                            createdAt: string;
                            createdBy: string;
                            verifiedAt?: string;
                            /**
                             * @description The domain's HTTPS certificate. On AWS CloudFront's state of its managed certificate (pending-validation until the domain's CNAME points at the platform's custom-domain target and CloudFront validated it, then issued); `none`: no certificate, because the domain is PENDING, or on AWS the next release has not created it yet, or the platform needs none (locally the edge serves plain HTTP); `unknown`: the state could not be read just now.
                             * @enum {string}
                             */
                            certificate: "none" | "pending-validation" | "issued" | "inactive" | "expired" | "validation-timed-out" | "revoked" | "failed" | "unknown";
                        };
                        problem?: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            409: components["responses"]["Error409"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    removeProjectDomain: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The project name (a DNS label). */
                name: string;
                /** @description A custom domain (lowercase host name). */
                domain: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        project: string;
                        deleted: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            409: components["responses"]["Error409"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    listExecutions: {
        parameters: {
            query?: {
                status?: "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";
                workflow?: "init-project" | "build-deploy" | "delete-project" | "rollback" | "template-rollout";
                limit?: string;
                nextToken?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        executions: {
                            executionArn: string;
                            stateMachineArn: string;
                            /** @enum {string} */
                            workflow: "init-project" | "build-deploy" | "delete-project" | "rollback" | "template-rollout";
                            name: string;
                            /** @enum {string} */
                            status: "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";
                            startDate: string;
                            stopDate?: string;
                            project?: string;
                            deploymentId?: string;
                        }[];
                        nextToken?: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    getExecution: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The name of any execution of a Slipway state machine, as GET /executions lists it. */
                executionName: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        execution: {
                            name?: string;
                            stateMachine?: string;
                            /** @enum {string} */
                            status: "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";
                            startDate?: string;
                            stopDate?: string;
                            durationMs?: number;
                            /** @description How often the execution was redriven after the platform stopped while it ran. */
                            redriveCount?: number;
                            input?: {
                                project?: string;
                                deploymentId?: string;
                                preview?: string;
                                sourceKey?: string;
                                github?: {
                                    repository?: string;
                                    commit?: string;
                                };
                                /** @constant */
                                withholdSecrets?: true;
                            };
                            output?: {
                                project?: string;
                                deploymentId?: string;
                                preview?: string;
                                sourceKey?: string;
                                github?: {
                                    repository?: string;
                                    commit?: string;
                                };
                                /** @constant */
                                withholdSecrets?: true;
                            };
                            error?: string;
                            cause?: string;
                            states: {
                                name: string;
                                /** @description The ASL state type: Task, Pass, Choice, Wait, Succeed, Fail. */
                                type: string;
                                /**
                                 * @description entered: running; retried: succeeded after `retries` failed attempts; caught: failed and the workflow went on to record the failure; failed: its failure ended the execution; interrupted: the platform stopped while it ran and the execution was redriven.
                                 * @enum {string}
                                 */
                                status: "entered" | "succeeded" | "failed" | "retried" | "caught" | "interrupted";
                                start: string;
                                end?: string;
                                durationMs?: number;
                                retries?: number;
                                error?: string;
                                /** @description Summarised: a Batch job as its status reason and exit code, a Lambda error as type and message; credential-looking text redacted; at most 500 characters. */
                                cause?: string;
                                /** @description Allow-listed result fields of the state: Fetch source sourceKey; Build jobId; Validate output digest, files; Release live, previous, preview; Check target deploymentId. Other states have none. */
                                summary?: {
                                    [key: string]: string | number;
                                };
                            }[];
                        };
                        stateMachine?: {
                            name: string;
                            startAt: string;
                            states: {
                                name: string;
                                type: string;
                                /** @description Where the state may go: Next, Choice rules and Default, Catch targets. */
                                next: string[];
                                /** @description The transitions taken on a caught failure. */
                                onError?: string[];
                                /** @constant */
                                end?: true;
                            }[];
                        };
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    listAuditEntries: {
        parameters: {
            query?: {
                month?: string;
                limit?: string;
                nextToken?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        month: string;
                        entries: {
                            actor: string;
                            action: string;
                            target: string;
                            status: number;
                            requestId: string;
                            at: string;
                            expiresAt: number;
                        }[];
                        nextToken?: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    retryExecution: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A build-and-deploy execution name: `<project>--build-deploy--[<commit>--]<deployment id>`. */
                execution: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        deployment: {
                            id: string;
                            project: string;
                            status: string;
                            createdAt: string;
                            createdBy: string;
                            source: {
                                bucket: string;
                                key: string;
                            };
                            commit?: string;
                            executionArn?: string;
                            executionName?: string;
                            failedState?: string;
                            error?: string;
                            cause?: string;
                            retryOf?: string;
                            retriedBy?: string;
                            cancelledAt?: string;
                            cancelledBy?: string;
                            github?: {
                                repository: string;
                                commit: string;
                                installationId: number;
                            };
                            preview?: string;
                            withholdSecrets?: boolean;
                            /** @constant */
                            secrets?: "withheld";
                            approvalOf?: string;
                            approvedBy?: string;
                            approvedAs?: string;
                            rootDirectory?: string;
                            releasedAt?: string;
                            /** @enum {string} */
                            routeCache?: "written" | "pruned";
                            current?: boolean;
                            url?: string;
                        };
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            409: components["responses"]["Error409"];
            413: components["responses"]["Error413"];
            429: components["responses"]["Error429"];
            500: components["responses"]["Error500"];
        };
    };
    startTemplateRollout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        execution: {
                            name: string;
                            executionArn: string;
                        };
                    };
                };
            };
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    listSubscriptions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        subscriptions: {
                            name: string;
                            limits: {
                                projectsPerUser: number;
                                buildsPerDay: number;
                                deploymentsPerDay: number;
                                concurrentBuilds: number;
                                buildTimeoutSeconds: number;
                                customDomainsPerProject: number;
                                prerenderedRoutesPerDeployment: number;
                                clientStorageBytes: number;
                                prerenderedStorageBytes: number;
                                serverStorageBytes: number;
                                functionMemoryMb: number;
                                functionTimeoutSeconds: number;
                            };
                            /** @enum {string} */
                            origin: "built-in" | "stored";
                            updatedAt?: string;
                            updatedBy?: string;
                        }[];
                    };
                };
            };
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    putSubscription: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A subscription name. */
                subscription: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    limits: {
                        projectsPerUser: number;
                        buildsPerDay: number;
                        deploymentsPerDay: number;
                        concurrentBuilds: number;
                        buildTimeoutSeconds: number;
                        customDomainsPerProject: number;
                        prerenderedRoutesPerDeployment: number;
                        clientStorageBytes: number;
                        prerenderedStorageBytes: number;
                        serverStorageBytes: number;
                        functionMemoryMb: number;
                        functionTimeoutSeconds: number;
                    };
                };
            };
        };
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        subscription: {
                            name: string;
                            limits: {
                                projectsPerUser: number;
                                buildsPerDay: number;
                                deploymentsPerDay: number;
                                concurrentBuilds: number;
                                buildTimeoutSeconds: number;
                                customDomainsPerProject: number;
                                prerenderedRoutesPerDeployment: number;
                                clientStorageBytes: number;
                                prerenderedStorageBytes: number;
                                serverStorageBytes: number;
                                functionMemoryMb: number;
                                functionTimeoutSeconds: number;
                            };
                            /** @enum {string} */
                            origin: "built-in" | "stored";
                            updatedAt?: string;
                            updatedBy?: string;
                        };
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    assignSubscription: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A user login (a GitHub login, case-insensitive). */
                login: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    subscription: string;
                };
            };
        };
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        user: string;
                        subscription: {
                            name: string;
                            limits: {
                                projectsPerUser: number;
                                buildsPerDay: number;
                                deploymentsPerDay: number;
                                concurrentBuilds: number;
                                buildTimeoutSeconds: number;
                                customDomainsPerProject: number;
                                prerenderedRoutesPerDeployment: number;
                                clientStorageBytes: number;
                                prerenderedStorageBytes: number;
                                serverStorageBytes: number;
                                functionMemoryMb: number;
                                functionTimeoutSeconds: number;
                            };
                            /** @enum {string} */
                            origin: "built-in" | "stored";
                            updatedAt?: string;
                            updatedBy?: string;
                        };
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    getMyLimits: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        user: string;
                        subscription: string;
                        limits: {
                            projectsPerUser: number;
                            buildsPerDay: number;
                            deploymentsPerDay: number;
                            concurrentBuilds: number;
                            buildTimeoutSeconds: number;
                            customDomainsPerProject: number;
                            prerenderedRoutesPerDeployment: number;
                            clientStorageBytes: number;
                            prerenderedStorageBytes: number;
                            serverStorageBytes: number;
                            functionMemoryMb: number;
                            functionTimeoutSeconds: number;
                        };
                        usage: {
                            projects: number;
                            buildsToday: number;
                            deploymentsToday: number;
                            concurrentBuilds: number;
                        };
                    };
                };
            };
            401: components["responses"]["Error401"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    beginGithubSignIn: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The GitHub authorization page. */
            302: {
                headers: {
                    /** @description The GitHub authorization page. */
                    Location?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: components["responses"]["Error404"];
            500: components["responses"]["Error500"];
        };
    };
    completeGithubSignIn: {
        parameters: {
            query?: {
                code?: string;
                state?: string;
                error?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The dashboard (`/`), signed in. */
            302: {
                headers: {
                    /** @description The dashboard (`/`), signed in. */
                    Location?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            500: components["responses"]["Error500"];
        };
    };
    listSignInMethods: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        token: true;
                        github: boolean;
                    };
                };
            };
            500: components["responses"]["Error500"];
        };
    };
    signInWithToken: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    token: string;
                };
            };
        };
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        user: string;
                        /** @constant */
                        via: "session";
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            500: components["responses"]["Error500"];
        };
    };
    signOut: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        signedOut: true;
                    };
                };
            };
            500: components["responses"]["Error500"];
        };
    };
    getMe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        user: string;
                        roles: ("user" | "support" | "maintainer" | "subscription-manager" | "role-manager")[];
                        permissions: ("projects:create" | "projects:read-any" | "projects:write-any" | "users:read" | "users:write" | "roles:write" | "subscriptions:read" | "subscriptions:write" | "executions:read" | "executions:retry" | "audit:read")[];
                        /** @enum {string} */
                        via: "admin-token" | "api-token" | "session";
                    };
                };
            };
            401: components["responses"]["Error401"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    listMyTokens: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        tokens: {
                            id: string;
                            user: string;
                            label: string;
                            createdAt: string;
                            createdBy: string;
                            expiresAt?: number;
                        }[];
                    };
                };
            };
            401: components["responses"]["Error401"];
            409: components["responses"]["Error409"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    issueMyToken: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    label: string;
                    ttlDays?: number;
                };
            };
        };
        responses: {
            /** @description Success. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description `slw_<id>_<secret>`: shown only in this response. */
                        token: string;
                        record: {
                            id: string;
                            user: string;
                            label: string;
                            createdAt: string;
                            createdBy: string;
                            expiresAt?: number;
                        };
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            409: components["responses"]["Error409"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    revokeMyToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description An API token id (the part after `slw_`; never the secret). */
                token: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        revoked: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            404: components["responses"]["Error404"];
            409: components["responses"]["Error409"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    listUsers: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        users: {
                            login: string;
                            roles: ("user" | "support" | "maintainer" | "subscription-manager" | "role-manager")[];
                            createdAt: string;
                            createdBy: string;
                            subscription?: string;
                            githubId?: number;
                            lastSignInAt?: string;
                        }[];
                    };
                };
            };
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    createUser: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    login: string;
                    /**
                     * @default [
                     *       "user"
                     *     ]
                     */
                    roles?: ("user" | "support" | "maintainer" | "subscription-manager" | "role-manager")[];
                };
            };
        };
        responses: {
            /** @description Success. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        user: {
                            login: string;
                            roles: ("user" | "support" | "maintainer" | "subscription-manager" | "role-manager")[];
                            createdAt: string;
                            createdBy: string;
                            subscription?: string;
                            githubId?: number;
                            lastSignInAt?: string;
                        };
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            409: components["responses"]["Error409"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    getUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A user login (a GitHub login, case-insensitive). */
                login: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        user: {
                            login: string;
                            roles: ("user" | "support" | "maintainer" | "subscription-manager" | "role-manager")[];
                            createdAt: string;
                            createdBy: string;
                            subscription?: string;
                            githubId?: number;
                            lastSignInAt?: string;
                        };
                        tokens: {
                            id: string;
                            user: string;
                            label: string;
                            createdAt: string;
                            createdBy: string;
                            expiresAt?: number;
                        }[];
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    deleteUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A user login (a GitHub login, case-insensitive). */
                login: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        deleted: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            409: components["responses"]["Error409"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    setUserRoles: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A user login (a GitHub login, case-insensitive). */
                login: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    roles: ("user" | "support" | "maintainer" | "subscription-manager" | "role-manager")[];
                };
            };
        };
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        user: {
                            login: string;
                            roles: ("user" | "support" | "maintainer" | "subscription-manager" | "role-manager")[];
                            createdAt: string;
                            createdBy: string;
                            subscription?: string;
                            githubId?: number;
                            lastSignInAt?: string;
                        };
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    issueUserToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A user login (a GitHub login, case-insensitive). */
                login: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    label: string;
                    ttlDays?: number;
                };
            };
        };
        responses: {
            /** @description Success. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description `slw_<id>_<secret>`: shown only in this response. */
                        token: string;
                        record: {
                            id: string;
                            user: string;
                            label: string;
                            createdAt: string;
                            createdBy: string;
                            expiresAt?: number;
                        };
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    revokeUserToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A user login (a GitHub login, case-insensitive). */
                login: string;
                /** @description An API token id (the part after `slw_`; never the secret). */
                token: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        revoked: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    receiveGithubWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        pong: true;
                        zen?: string;
                    } | {
                        ignored: string;
                    };
                };
            };
            /** @description Success. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        deliveries: {
                            project: string;
                            /** @enum {string} */
                            kind: "production" | "preview";
                            alias?: string;
                            branch: string;
                            commit: string;
                            deploymentId: string;
                            withholdSecrets?: boolean;
                        }[];
                        skipped?: {
                            project: string;
                            reason: string;
                        }[];
                    } | {
                        installation: number;
                        action: string;
                    } | {
                        ignored: string;
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    linkProjectRepository: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The project name (a DNS label). */
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    repository: string;
                    productionBranch?: string;
                };
            };
        };
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        project: {
                            name: string;
                            owner: string;
                            status: string;
                            createdAt: string;
                            liveDeploymentId?: string;
                            liveAt?: string;
                            liveBasePath?: string;
                            executionName?: string;
                            failedState?: string;
                            error?: string;
                            cause?: string;
                            repository?: string;
                            productionBranch?: string;
                            url?: string;
                        };
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    approveDeployment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The project name (a DNS label). */
                name: string;
                /** @description The deployment id. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        deployment: {
                            id: string;
                            project: string;
                            status: string;
                            createdAt: string;
                            createdBy: string;
                            source: {
                                bucket: string;
                                key: string;
                            };
                            commit?: string;
                            executionArn?: string;
                            executionName?: string;
                            failedState?: string;
                            error?: string;
                            cause?: string;
                            retryOf?: string;
                            retriedBy?: string;
                            cancelledAt?: string;
                            cancelledBy?: string;
                            github?: {
                                repository: string;
                                commit: string;
                                installationId: number;
                            };
                            preview?: string;
                            withholdSecrets?: boolean;
                            /** @constant */
                            secrets?: "withheld";
                            approvalOf?: string;
                            approvedBy?: string;
                            approvedAs?: string;
                            rootDirectory?: string;
                            releasedAt?: string;
                            /** @enum {string} */
                            routeCache?: "written" | "pruned";
                            current?: boolean;
                            url?: string;
                        };
                    };
                };
            };
            400: components["responses"]["Error400"];
            401: components["responses"]["Error401"];
            403: components["responses"]["Error403"];
            404: components["responses"]["Error404"];
            409: components["responses"]["Error409"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
    listLinkableRepositories: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        repositories: {
                            repository: string;
                            installationId: number;
                        }[];
                    };
                };
            };
            401: components["responses"]["Error401"];
            413: components["responses"]["Error413"];
            500: components["responses"]["Error500"];
        };
    };
}
