/// Beacons allocate many small, short-lived buffers across threads; mimalloc
/// serves them with a fraction of glibc malloc's CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    server::cli::run(&args)
}
