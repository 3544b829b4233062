//! The WebAssembly entry point: hydrates the islands of the server-rendered
//! page (everything else stays the server's HTML).

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    app::hydrate_islands();
}
