// graphiql.js starts GraphiQL on the hub's page at /. Queries and mutations
// go to the endpoint over HTTP; subscriptions go over WebSocket (graphql-ws,
// the graphql-transport-ws protocol). Both carry the headers typed into the
// Headers tab: HTTP as request headers, WebSocket in connection_init's
// payload, where the hub reads Authorization and X-Query-Purpose.
(function () {
	'use strict';

	var root = document.getElementById('graphiql');
	var endpoint = new URL(root.dataset.endpoint, location.href);
	var socketURL = new URL(endpoint.href);
	socketURL.protocol = endpoint.protocol === 'https:' ? 'wss:' : 'ws:';

	var defaultQuery = [
		'# credithub: one graph over every department\'s credit records.',
		'#',
		'# To ask as someone, open Headers below and type',
		'#   {"Authorization": "Bearer <token>",',
		'#    "X-Query-Purpose": "LAW_ENFORCEMENT"}',
		'# Without a token you ask as the public.',
		'# Run with Ctrl-Enter.',
		'',
		'{ departments { code name } }',
		'',
	].join('\n');

	var overHTTP = GraphiQL.createFetcher({ url: endpoint.href });

	// operationType is the type (query, mutation or subscription) of the
	// operation params asks to run: the named one, or the document's only
	// one. It reads the text itself rather than GraphiQL's parsed document,
	// which lags a fast edit by a moment: a subscription typed and run at
	// once must still go over WebSocket.
	function operationType(params) {
		var text = params.query.replace(/"""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*"|#[^\n\r]*/g, ' ');
		var tokens = text.match(/[{}()]|@?[_A-Za-z][_0-9A-Za-z]*/g) || [];
		var depth = 0; // of braces and parentheses
		var header = null; // the definition whose body the next top-level { opens
		for (var i = 0; i < tokens.length; i++) {
			var t = tokens[i];
			if (t === '{' || t === '(') {
				if (t === '{' && depth === 0) {
					var def = header || { type: 'query', name: '' }; // a bare { … } is a query
					if (def.type !== 'fragment' && (!params.operationName || params.operationName === def.name)) {
						return def.type;
					}
					header = null;
				}
				depth++;
			} else if (t === '}' || t === ')') {
				depth--;
			} else if (depth === 0 && header === null && /^(query|mutation|subscription|fragment)$/.test(t)) {
				var next = tokens[i + 1] || '';
				header = { type: t, name: /^[_A-Za-z]/.test(next) ? next : '' };
			}
		}
		return null;
	}

	// describe turns what graphql-ws reports (a CloseEvent, a list of
	// GraphQL errors, an Error) into an Error GraphiQL can show.
	function describe(e) {
		if (e instanceof Error) {
			return e;
		}
		if (Array.isArray(e)) {
			return new Error(e.map(function (x) { return x.message; }).join('\n'));
		}
		if (e && typeof e.code === 'number') {
			return new Error('the WebSocket closed (' + e.code + (e.reason ? ': ' + e.reason : '') + ')');
		}
		return new Error(String(e));
	}

	// overWebSocket runs one subscription on a connection of its own, so
	// that the headers of the moment go in its connection_init.
	function overWebSocket(params, headers) {
		return {
			subscribe: function (sink) {
				var client = graphqlWs.createClient({ url: socketURL.href, connectionParams: headers, retryAttempts: 0 });
				var stop = client.subscribe(params, {
					next: function (v) { sink.next(v); },
					error: function (e) { sink.error(describe(e)); },
					complete: function () { sink.complete(); },
				});
				return {
					unsubscribe: function () {
						stop();
						client.dispose();
					},
				};
			},
		};
	}

	function fetcher(params, opts) {
		if (operationType(params) === 'subscription') {
			return overWebSocket(params, (opts && opts.headers) || {});
		}
		return overHTTP(params, opts);
	}

	ReactDOM.createRoot(root).render(React.createElement(GraphiQL, {
		fetcher: fetcher,
		defaultQuery: defaultQuery,
		isHeadersEditorEnabled: true,
		// A token stays in the tab and is gone when it closes.
		shouldPersistHeaders: false,
		defaultEditorToolsVisibility: 'headers',
	}));
})();
