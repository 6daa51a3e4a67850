[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("CreAspire.Don.Tests")]
